-- The read models behind the dashboards (METRICS.md M1–M15). All of it is rebuilt from the topics by
-- `avtal reporting rebuild`; every table folds events so that order and repetition do not matter.

-- Newest contract.state per contract (a lower or equal version is ignored).
CREATE TABLE contracts (
    contract_id     uuid PRIMARY KEY,
    version         integer NOT NULL,
    contract_no     text NOT NULL,
    customer_id     uuid NOT NULL,
    currency        char(3) NOT NULL,
    status          text NOT NULL,
    start_date      date NOT NULL,
    end_date        date NOT NULL,
    interval_months integer NOT NULL,
    timing          text NOT NULL,
    auto_renew      boolean NOT NULL,
    notice_days     integer NOT NULL,
    terms_days      integer NOT NULL,
    annual_value    numeric(16, 2) NOT NULL,
    renewal_months  integer NOT NULL,
    renewal_gross   numeric(16, 2) NOT NULL,
    terminated_on   date,
    renewed_to      uuid
);
CREATE INDEX contracts_end ON contracts (currency, end_date);

-- The invoices a contract's current term will still ask for (VAT included), due on `due_on`; those
-- already invoiced are left out at query time by `invoiced_through`.
CREATE TABLE scheduled (
    contract_id     uuid NOT NULL,
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    customer_id     uuid NOT NULL,
    currency        char(3) NOT NULL,
    due_on          date NOT NULL,
    gross           numeric(16, 2) NOT NULL,
    PRIMARY KEY (contract_id, period_start)
);
CREATE INDEX scheduled_due ON scheduled (currency, due_on);

-- Renewal steps heard of (quoted, accepted, declined), kept apart: they may come before the state.
CREATE TABLE renewal_steps (
    contract_id     uuid NOT NULL,
    step            text NOT NULL,
    on_date         date NOT NULL,
    PRIMARY KEY (contract_id, step)
);

-- M1: each line's MRR over its dated span; replaced whole with each newer contract state.
CREATE TABLE mrr_lines (
    contract_id     uuid NOT NULL,
    line_id         uuid NOT NULL,
    customer_id     uuid NOT NULL,
    currency        char(3) NOT NULL,
    product_id      uuid NOT NULL,
    start_date      date NOT NULL,
    end_date        date NOT NULL,
    mrr             numeric(16, 2) NOT NULL,
    PRIMARY KEY (contract_id, line_id, start_date)
);
CREATE INDEX mrr_lines_span ON mrr_lines (currency, end_date, start_date);
CREATE INDEX mrr_lines_customer ON mrr_lines (customer_id);

-- Customers' names (customer.state) and payment behaviour (M13, kept as sums over the last 12 paid).
CREATE TABLE customers (
    customer_id     uuid PRIMARY KEY,
    version         integer NOT NULL DEFAULT 0,
    name            text NOT NULL DEFAULT '',
    late_days_x_amount numeric(20, 2) NOT NULL DEFAULT 0,
    late_amount     numeric(20, 2) NOT NULL DEFAULT 0
);

-- Vendors of products (catalog.product.upserted), for the vendor filter.
CREATE TABLE products (
    product_id      uuid PRIMARY KEY,
    vendor          text
);

-- Invoices, credit notes (negative), by issue date; open amounts come from ar_entries.
ALTER TABLE invoice_facts
    ADD COLUMN kind text NOT NULL DEFAULT 'invoice',
    ADD COLUMN due_date date,
    ADD COLUMN gross numeric(14, 2),
    ADD COLUMN credits_invoice_id uuid,
    ADD COLUMN settled_on date;
UPDATE invoice_facts SET due_date = issue_date, gross = total WHERE due_date IS NULL;
CREATE INDEX invoice_facts_open ON invoice_facts (currency, issue_date) WHERE settled_on IS NULL;
CREATE INDEX invoice_facts_settled ON invoice_facts (currency, settled_on);
CREATE INDEX invoice_facts_customer ON invoice_facts (customer_id, issue_date);

-- Invoice lines with their service periods (M9), per customer for filtered figures.
CREATE TABLE invoice_lines (
    invoice_id      uuid NOT NULL,
    line_no         integer NOT NULL,
    customer_id     uuid NOT NULL,
    contract_id     uuid,
    currency        char(3) NOT NULL,
    issue_date      date NOT NULL,
    period_start    date,
    period_end      date,
    amount          numeric(14, 2) NOT NULL,
    PRIMARY KEY (invoice_id, line_no)
);
CREATE INDEX invoice_lines_customer ON invoice_lines (customer_id);

-- How far each contract is invoiced (the latest service day on any of its invoice lines).
CREATE TABLE invoiced_through (
    contract_id     uuid PRIMARY KEY,
    through         date NOT NULL
);

-- M9/M10 folded: net amounts by the month they were invoiced in and the month they are recognized in.
CREATE TABLE recognition (
    currency        char(3) NOT NULL,
    issue_month     date NOT NULL,
    month           date NOT NULL,
    amount          numeric(18, 2) NOT NULL,
    PRIMARY KEY (currency, issue_month, month)
);

-- What reduces an invoice's open amount: payments applied and credit notes, each dated.
CREATE TABLE ar_entries (
    entry_id        text PRIMARY KEY,
    invoice_id      uuid NOT NULL,
    customer_id     uuid NOT NULL,
    currency        char(3) NOT NULL,
    on_date         date NOT NULL,
    amount          numeric(14, 2) NOT NULL,
    kind            text NOT NULL  -- payment, credit
);
CREATE INDEX ar_entries_invoice ON ar_entries (invoice_id);

-- Money in (VAT included), by payment: applied to an invoice, and beyond it as the customer's credit.
CREATE TABLE collections (
    payment_id      text PRIMARY KEY,
    customer_id     uuid NOT NULL,
    currency        char(3) NOT NULL,
    paid_on         date NOT NULL,
    applied         numeric(14, 2) NOT NULL,
    credited        numeric(14, 2) NOT NULL
);
CREATE INDEX collections_month ON collections (currency, paid_on);
CREATE INDEX collections_customer ON collections (customer_id);

-- Gross sales and collections by month, for DSO and the cash charts without scanning every invoice.
CREATE TABLE month_totals (
    currency        char(3) NOT NULL,
    month           date NOT NULL,
    sales_gross     numeric(18, 2) NOT NULL DEFAULT 0,
    collected       numeric(18, 2) NOT NULL DEFAULT 0,
    PRIMARY KEY (currency, month)
);

-- Grows with every applied event: an open dashboard redraws when it moves.
CREATE TABLE read_model_version (
    id              boolean PRIMARY KEY DEFAULT true CHECK (id),
    version         bigint NOT NULL,
    rebuilding      boolean NOT NULL DEFAULT false
);
INSERT INTO read_model_version (version) VALUES (0);
