-- Contracts as billing knows them (from contract.* events; newest version wins).
CREATE TABLE contracts (
    contract_id     uuid PRIMARY KEY,
    contract_no     text NOT NULL,
    customer_id     uuid NOT NULL,
    customer_name   text NOT NULL,
    customer_email  text NOT NULL,
    locale          text NOT NULL,
    currency        char(3) NOT NULL,
    version         integer NOT NULL
);

-- The billing schedule: one row per contract period; invoice_id is set when it is billed.
CREATE TABLE billing_periods (
    contract_id     uuid NOT NULL REFERENCES contracts,
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    amount          numeric(14, 2) NOT NULL,
    currency        char(3) NOT NULL,
    lines           jsonb NOT NULL,
    invoice_id      uuid,
    PRIMARY KEY (contract_id, period_start)
);
CREATE INDEX billing_periods_due ON billing_periods (period_start) WHERE invoice_id IS NULL;

CREATE TABLE billing_runs (
    run_id          uuid PRIMARY KEY,
    run_key         text NOT NULL UNIQUE,
    as_of           date NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    invoices_created integer NOT NULL DEFAULT 0
);

-- Gapless numbering: the counter row is updated in the invoice's own transaction.
CREATE TABLE invoice_sequences (
    series          text PRIMARY KEY,
    last_no         bigint NOT NULL DEFAULT 0
);

CREATE TABLE invoices (
    invoice_id      uuid PRIMARY KEY,
    invoice_no      text NOT NULL UNIQUE,
    contract_id     uuid NOT NULL REFERENCES contracts,
    contract_no     text NOT NULL,
    customer_id     uuid NOT NULL,
    customer_name   text NOT NULL,
    customer_email  text NOT NULL,
    locale          text NOT NULL,
    currency        char(3) NOT NULL,
    issue_date      date NOT NULL,
    due_date        date NOT NULL,
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    total           numeric(14, 2) NOT NULL,
    status          text NOT NULL DEFAULT 'issued',
    run_id          uuid REFERENCES billing_runs,
    pdf             bytea,
    pdf_sha256      text,
    correlation_id  text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (contract_id, period_start)
);
CREATE INDEX invoices_customer ON invoices (customer_id);
CREATE INDEX invoices_unrendered ON invoices (created_at) WHERE pdf IS NULL;

CREATE TABLE invoice_lines (
    invoice_id      uuid NOT NULL REFERENCES invoices,
    line_no         integer NOT NULL,
    description     text NOT NULL,
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    amount          numeric(14, 2) NOT NULL,
    PRIMARY KEY (invoice_id, line_no)
);
