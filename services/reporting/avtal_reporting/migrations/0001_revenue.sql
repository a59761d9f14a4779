-- Read models only: everything here can be rebuilt by replaying the topics.
CREATE TABLE invoice_facts (
    invoice_id      uuid PRIMARY KEY,
    invoice_no      text NOT NULL,
    customer_id     uuid NOT NULL,
    contract_id     uuid NOT NULL,
    issue_date      date NOT NULL,
    currency        char(3) NOT NULL,
    total           numeric(14, 2) NOT NULL
);

CREATE TABLE revenue_by_month (
    month           date NOT NULL,
    currency        char(3) NOT NULL,
    invoiced        numeric(16, 2) NOT NULL DEFAULT 0,
    invoices        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (month, currency)
);
