-- Figures folded as events arrive, so a dashboard reads a few rows instead of every line or invoice.

-- M2 per customer: MRR at each month's end (only months above zero), recomputed from the customer's
-- lines whenever one of its contracts changes.
CREATE TABLE customer_mrr (
    currency        char(3) NOT NULL,
    customer_id     uuid NOT NULL,
    month           date NOT NULL,
    mrr             numeric(16, 2) NOT NULL,
    PRIMARY KEY (currency, customer_id, month)
);
CREATE INDEX customer_mrr_month ON customer_mrr (currency, month, mrr DESC);

-- M5 summed over customers: each customer's contribution is added, and moved by new − old on a change.
CREATE TABLE mrr_months (
    currency        char(3) NOT NULL,
    month           date NOT NULL,
    mrr             numeric(18, 2) NOT NULL DEFAULT 0,
    new             numeric(18, 2) NOT NULL DEFAULT 0,
    reactivation    numeric(18, 2) NOT NULL DEFAULT 0,
    expansion       numeric(18, 2) NOT NULL DEFAULT 0,
    contraction     numeric(18, 2) NOT NULL DEFAULT 0,
    churn           numeric(18, 2) NOT NULL DEFAULT 0,
    customers       numeric(12, 0) NOT NULL DEFAULT 0,
    PRIMARY KEY (currency, month)
);

-- An invoice's payments and credits in total and the last day one is dated: open today without a scan.
ALTER TABLE invoice_facts
    ADD COLUMN entries_total numeric(14, 2) NOT NULL DEFAULT 0,
    ADD COLUMN last_entry_on date;
CREATE INDEX collections_credited ON collections (currency, paid_on) WHERE credited <> 0;

-- M13 rounded to whole days (NULL: no paid invoice yet, the company-wide mean applies).
ALTER TABLE customers ADD COLUMN late_days integer;

-- Scheduled invoices summed by due day and the lateness of their customers (the forecast reads these).
CREATE TABLE scheduled_sums (
    currency        char(3) NOT NULL,
    due_on          date NOT NULL,
    late_days       integer,
    gross           numeric(18, 2) NOT NULL,
    UNIQUE NULLS NOT DISTINCT (currency, due_on, late_days)
);
