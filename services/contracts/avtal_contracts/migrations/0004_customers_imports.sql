-- Issue 8 (parties): the CRM's last change per customer, a text filter over customers, and CSV imports
-- of customers, covered items and contracts tracked as jobs (the same shape as the catalog's).
ALTER TABLE customers ADD COLUMN crm_updated_at timestamptz;
CREATE INDEX customers_name ON customers (lower(name));

CREATE TABLE import_jobs (
    job_id              uuid PRIMARY KEY,
    kind                text NOT NULL CHECK (kind IN ('customers', 'items', 'contracts')),
    status              text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    file_name           text NOT NULL DEFAULT '',
    size_bytes          bigint NOT NULL,
    source              bytea NOT NULL,              -- the upload, kept so a dry run can be committed
    options             jsonb NOT NULL,
    bytes_done          bigint NOT NULL DEFAULT 0,
    rows_done           integer NOT NULL DEFAULT 0,
    report              jsonb,
    error               text,
    created_by          text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    started_at          timestamptz,
    finished_at         timestamptz
);
CREATE INDEX import_jobs_created ON import_jobs (created_at DESC);

CREATE TABLE import_mappings (
    kind                text NOT NULL,
    name                text NOT NULL,
    mapping             jsonb NOT NULL,
    saved_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name)
);
