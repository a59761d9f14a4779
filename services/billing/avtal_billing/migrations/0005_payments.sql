-- Payments and collection (issue 9): payments from accounting systems (payment.received) and staff,
-- matched to invoices by OCR reference or invoice number; unmatched ones wait for staff, never lost.
CREATE TABLE payments (
    payment_id      text PRIMARY KEY,  -- the payer system's id: the same payment twice is applied once
    amount          numeric(14, 2) NOT NULL CHECK (amount > 0),
    currency        char(3) NOT NULL,
    reference       text,
    invoice_no      text,
    paid_on         date NOT NULL,
    payer           text NOT NULL DEFAULT '',
    source          text NOT NULL,
    status          text NOT NULL CHECK (status IN ('matched', 'unmatched')),
    invoice_id      uuid REFERENCES invoices,
    customer_id     uuid,
    applied         numeric(14, 2) NOT NULL DEFAULT 0,  -- to the invoice
    credited        numeric(14, 2) NOT NULL DEFAULT 0,  -- beyond its balance: the customer's credit
    reason          text,  -- why it is unmatched
    resolved_by     text,
    received_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_unmatched ON payments (received_at) WHERE status = 'unmatched';
CREATE INDEX payments_invoice ON payments (invoice_id);

-- Over-payments kept per customer and currency.
CREATE TABLE customer_credits (
    customer_id     uuid NOT NULL,
    currency        char(3) NOT NULL,
    amount          numeric(14, 2) NOT NULL DEFAULT 0,
    PRIMARY KEY (customer_id, currency)
);

-- Collection: the dunning step an invoice has reached (0 none, 1 reminder, 2 second reminder, 3 final).
ALTER TABLE invoices ADD COLUMN dunning_step integer NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN paid_on date;
CREATE INDEX invoices_open ON invoices (due_date) WHERE status IN ('issued', 'partially_paid');
CREATE INDEX invoices_customer_open ON invoices (customer_id) WHERE status IN ('issued', 'partially_paid');
