-- Bulk operations (issue 8): the product's vendor for selections, and tracked bulk jobs with one row per
-- selected contract (its result and its reason).
ALTER TABLE products ADD COLUMN vendor text;
CREATE INDEX products_vendor ON products (vendor) WHERE vendor IS NOT NULL;
CREATE INDEX contract_lines_sku ON contract_lines (sku);

CREATE TABLE bulk_jobs (
    job_id          uuid PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('coterminate', 'edit', 'reorganise', 'merge', 'renew', 'split', 'undo')),
    -- the operation's parameters as applied (a co-termination's resolved end date, the edited terms, ...)
    params          jsonb NOT NULL,
    selection       jsonb NOT NULL,
    -- 'queued' → 'running' (a worker took a batch) → 'done'; each contract's result is on its row
    state           text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done')),
    total           integer NOT NULL DEFAULT 0,
    applied         integer NOT NULL DEFAULT 0,
    failed          integer NOT NULL DEFAULT 0,
    impact          numeric(16, 2) NOT NULL DEFAULT 0,
    undo_of         uuid REFERENCES bulk_jobs,
    undone_by       uuid REFERENCES bulk_jobs,
    actor           text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX bulk_jobs_open ON bulk_jobs (created_at) WHERE state <> 'done';

CREATE TABLE bulk_job_items (
    job_id          uuid NOT NULL REFERENCES bulk_jobs,
    seq             integer NOT NULL,
    contract_id     uuid NOT NULL REFERENCES contracts,
    contract_no     text NOT NULL,
    -- 'pending' until a worker takes it in its batch; then 'applied' or 'failed' with the reason
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied', 'failed')),
    reason          text,
    summary         text,
    impact          numeric(14, 2),
    -- the version the job left (undo restores the audit entry's `before` of that version)
    version_after   integer,
    PRIMARY KEY (job_id, seq),
    UNIQUE (job_id, contract_id)
);
CREATE INDEX bulk_job_items_pending ON bulk_job_items (job_id, seq) WHERE state = 'pending';
