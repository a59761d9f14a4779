-- Issue 7: CSV imports of products and price lists, tracked as jobs with their report.
CREATE TABLE import_jobs (
    job_id              uuid PRIMARY KEY,
    kind                text NOT NULL CHECK (kind IN ('products', 'prices')),
    status              text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    file_name           text NOT NULL DEFAULT '',
    size_bytes          bigint NOT NULL,
    source              bytea NOT NULL,              -- the upload, kept so a dry run can be committed
    options             jsonb NOT NULL,              -- encoding, decimal_comma, mode, dry_run, mapping
    bytes_done          bigint NOT NULL DEFAULT 0,   -- progress while running
    rows_done           integer NOT NULL DEFAULT 0,
    report              jsonb,                       -- the last run's ImportReport
    error               text,                        -- an unexpected failure (the report has the rest)
    created_by          text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    started_at          timestamptz,
    finished_at         timestamptz
);
CREATE INDEX import_jobs_created ON import_jobs (created_at DESC);

-- Header mappings saved by name, per kind of import: CSV header -> field.
CREATE TABLE import_mappings (
    kind                text NOT NULL,
    name                text NOT NULL,
    mapping             jsonb NOT NULL,
    saved_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name)
);
