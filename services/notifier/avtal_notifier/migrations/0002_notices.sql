-- Issue 10: one e-mail per event and recipient, HTML bodies, preferences, a customer and contract
-- directory fed by events, and renewal reminder terms.
ALTER TABLE emails DROP CONSTRAINT emails_cause_event_id_kind_key;
ALTER TABLE emails ADD CONSTRAINT emails_one_per_recipient UNIQUE (cause_event_id, kind, recipient);
ALTER TABLE emails ADD COLUMN body_html text;
ALTER TABLE emails ADD COLUMN customer_id uuid;
CREATE INDEX emails_by_customer ON emails (customer_id, created_at DESC);
CREATE INDEX emails_by_status ON emails (status, created_at DESC);

-- What a customer wants for each kind of notice; no row: on, to the customer's own e-mail.
CREATE TABLE notice_preferences (
    customer_id     uuid NOT NULL,
    kind            text NOT NULL,
    enabled         boolean NOT NULL DEFAULT true,
    contacts        text[] NOT NULL DEFAULT '{}',
    customer_email  boolean NOT NULL DEFAULT true,
    updated_by      text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, kind)
);

-- The newest customer.state (or, until one arrives, what an invoice event said about the customer).
CREATE TABLE customers (
    customer_id  uuid PRIMARY KEY,
    name         text NOT NULL,
    email        text NOT NULL,
    locale       text NOT NULL DEFAULT 'en',
    version      integer NOT NULL DEFAULT 0
);

-- Which customer a contract belongs to (contract.state), for events that name only the contract.
CREATE TABLE contracts (
    contract_id  uuid PRIMARY KEY,
    contract_no  text NOT NULL,
    customer_id  uuid NOT NULL,
    version      integer NOT NULL DEFAULT 0
);

-- A contract term that had its first expiry notice or renewal quote: reminded every cadence days until
-- an answer (accepted, declined, renewed) or its end (expired, terminated).
CREATE TABLE renewal_terms (
    contract_id      uuid NOT NULL,
    term_end         date NOT NULL,
    contract_no      text NOT NULL,
    customer_id      uuid NOT NULL,
    first_notice_on  date NOT NULL,
    reminders_sent   integer NOT NULL DEFAULT 0,
    auto_renew       boolean NOT NULL DEFAULT false,
    stopped          text,
    stopped_at       timestamptz,
    quote_no         text,
    quote_total      numeric(14, 2),
    currency         text,
    PRIMARY KEY (contract_id, term_end)
);
CREATE INDEX renewal_terms_open ON renewal_terms (first_notice_on) WHERE stopped IS NULL;
