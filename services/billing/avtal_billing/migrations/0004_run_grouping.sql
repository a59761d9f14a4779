-- Billing runs invoice per customer (or per contract) and claim due customers in key order, so two
-- replicas can share one run (docs/billing-model.md, "Billing runs").
ALTER TABLE billing_periods ADD COLUMN customer_id uuid;
UPDATE billing_periods p SET customer_id = c.customer_id FROM contracts c WHERE c.contract_id = p.contract_id;
CREATE INDEX billing_periods_due_customer ON billing_periods (customer_id, bill_on) WHERE invoice_id IS NULL;
CREATE INDEX billing_periods_due_contract ON billing_periods (contract_id, bill_on) WHERE invoice_id IS NULL;
-- How the run groups invoices, kept with the run so every replica and round groups the same way.
ALTER TABLE billing_runs ADD COLUMN invoice_per text NOT NULL DEFAULT 'contract'
    CHECK (invoice_per IN ('customer', 'contract'));
