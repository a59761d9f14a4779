-- Issue 9: the billing model (docs/billing-model.md).

-- Billing's copy of each contract keeps the whole newest state it was built from, so a schedule can be
-- rebuilt from the copy alone, and the buyer as that state names them.
ALTER TABLE contracts ADD COLUMN state jsonb;
ALTER TABLE contracts ADD COLUMN status text NOT NULL DEFAULT 'active';
ALTER TABLE contracts ADD COLUMN buyer jsonb;

-- Buyers: the newest customer details any contract state carried (by the event's occurred_at).
CREATE TABLE customers (
    customer_id         uuid PRIMARY KEY,
    name                text NOT NULL,
    email               text NOT NULL,
    locale              text NOT NULL DEFAULT 'en',
    address_line        text,
    postal_code         text,
    city                text,
    country             text NOT NULL DEFAULT 'SE',
    tax_id              text,
    vat_rate            numeric(5, 2) NOT NULL DEFAULT 25.00,
    reverse_charge      boolean NOT NULL DEFAULT false,
    payment_terms_days  integer NOT NULL DEFAULT 30,
    seen_at             timestamptz NOT NULL
);

-- A period is invoiced on `bill_on`: in advance, the lead days before it starts; in arrears, the day
-- after it ends. Older rows were billed from their start.
ALTER TABLE billing_periods ADD COLUMN bill_on date;
UPDATE billing_periods SET bill_on = period_start;
ALTER TABLE billing_periods ALTER COLUMN bill_on SET NOT NULL;
ALTER TABLE billing_periods ADD COLUMN timing text NOT NULL DEFAULT 'advance'
    CHECK (timing IN ('advance', 'arrears'));
DROP INDEX billing_periods_due;
CREATE INDEX billing_periods_due ON billing_periods (bill_on) WHERE invoice_id IS NULL;

-- Invoices and credit notes. A draft has no number; the number (gapless per series and year) is given
-- when it is issued. An invoice may group several contracts of one customer: its lines name their
-- contract and the schedule period they bill, and a period is billed by one line set only once.
ALTER TABLE invoices ALTER COLUMN invoice_no DROP NOT NULL;
ALTER TABLE invoices ALTER COLUMN contract_id DROP NOT NULL;
ALTER TABLE invoices ALTER COLUMN contract_no DROP NOT NULL;
ALTER TABLE invoices DROP CONSTRAINT invoices_contract_id_period_start_key;
ALTER TABLE invoices ADD COLUMN kind text NOT NULL DEFAULT 'invoice'
    CHECK (kind IN ('invoice', 'credit_note', 'renewal_quote'));
ALTER TABLE invoices ADD COLUMN series text;
ALTER TABLE invoices ADD COLUMN buyer jsonb;
ALTER TABLE invoices ADD COLUMN net numeric(14, 2);
ALTER TABLE invoices ADD COLUMN vat numeric(14, 2);
UPDATE invoices SET net = total, vat = 0;
ALTER TABLE invoices ALTER COLUMN net SET NOT NULL;
ALTER TABLE invoices ALTER COLUMN vat SET NOT NULL;
ALTER TABLE invoices ADD COLUMN reverse_charge boolean NOT NULL DEFAULT false;
ALTER TABLE invoices ADD COLUMN ocr text;
ALTER TABLE invoices ADD COLUMN credits_invoice_id uuid REFERENCES invoices;
ALTER TABLE invoices ADD COLUMN notices jsonb NOT NULL DEFAULT '[]';
ALTER TABLE invoices ADD COLUMN paid numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN issued_at timestamptz;
UPDATE invoices SET issued_at = created_at, series = 'INV-' || extract(year FROM issue_date)::int;
ALTER TABLE invoices ADD CONSTRAINT invoices_issued_have_numbers
    CHECK (status = 'draft' OR invoice_no IS NOT NULL);
CREATE UNIQUE INDEX invoices_ocr ON invoices (ocr) WHERE ocr IS NOT NULL;
CREATE INDEX invoices_run ON invoices (run_id);
CREATE INDEX invoices_contract ON invoices (contract_id);

ALTER TABLE invoice_lines ADD COLUMN kind text NOT NULL DEFAULT 'invoice';
ALTER TABLE invoice_lines ADD COLUMN contract_id uuid;
ALTER TABLE invoice_lines ADD COLUMN contract_no text;
ALTER TABLE invoice_lines ADD COLUMN billing_period_start date;  -- the schedule period it bills
ALTER TABLE invoice_lines ADD COLUMN line_id uuid;  -- the contract line (None: an adjustment or fee)
ALTER TABLE invoice_lines ADD COLUMN serials text NOT NULL DEFAULT '';
ALTER TABLE invoice_lines ADD COLUMN quantity integer NOT NULL DEFAULT 1;
ALTER TABLE invoice_lines ADD COLUMN unit_price numeric(14, 2);  -- per unit and year
ALTER TABLE invoice_lines ADD COLUMN vat_rate numeric(5, 2) NOT NULL DEFAULT 0;
ALTER TABLE invoice_lines ADD COLUMN vat numeric(14, 2) NOT NULL DEFAULT 0;
UPDATE invoice_lines l SET contract_id = i.contract_id, contract_no = i.contract_no,
    billing_period_start = i.period_start
FROM invoices i WHERE i.invoice_id = l.invoice_id;
-- The belt to billing_periods.invoice_id: one invoiced line per contract line and schedule period.
CREATE UNIQUE INDEX invoice_lines_once ON invoice_lines (contract_id, billing_period_start, line_id)
    WHERE kind = 'invoice' AND line_id IS NOT NULL;

-- Numbering series are named by kind and year: INV-2026 (invoices), CN-2026 (credit notes).
UPDATE invoice_sequences SET series = 'INV-' || series WHERE series ~ '^[0-9]{4}$';
