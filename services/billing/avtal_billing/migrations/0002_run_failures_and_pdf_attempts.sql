-- A billing run goes on past a period whose invoice fails: the failure is kept here with its reason.
-- Re-triggering the run (same run_key) is a new round that retries its open failures; a failure is
-- resolved once its period has an invoice (billing_periods.invoice_id), whichever run billed it.
ALTER TABLE billing_runs ADD COLUMN rounds integer NOT NULL DEFAULT 1;

CREATE TABLE billing_run_failures (
    run_id          uuid NOT NULL REFERENCES billing_runs,
    contract_id     uuid NOT NULL,
    period_start    date NOT NULL,
    reason          text NOT NULL,
    attempts        integer NOT NULL DEFAULT 1,
    round           integer NOT NULL,
    failed_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, contract_id, period_start),
    FOREIGN KEY (contract_id, period_start) REFERENCES billing_periods
);

-- PDFs are rendered outside any transaction: an invoice is leased to one issuer until pdf_not_before;
-- a failed render keeps its error and waits (backing off) while the issuer goes on with the others.
ALTER TABLE invoices ADD COLUMN pdf_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN pdf_error text;
ALTER TABLE invoices ADD COLUMN pdf_not_before timestamptz;
