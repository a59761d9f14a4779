-- Products as the catalog last described them (fed by catalog.product.upserted).
CREATE TABLE products (
    product_id      uuid PRIMARY KEY,
    sku             text NOT NULL,
    name            text NOT NULL,
    annual_price    numeric(14, 2) NOT NULL,
    currency        char(3) NOT NULL,
    active          boolean NOT NULL,
    version         integer NOT NULL
);
CREATE UNIQUE INDEX products_sku ON products (sku);

CREATE TABLE customers (
    customer_id     uuid PRIMARY KEY,
    name            text NOT NULL,
    email           text NOT NULL,
    locale          text NOT NULL DEFAULT 'en',
    external_ref    text UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE covered_items (
    item_id         uuid PRIMARY KEY,
    customer_id     uuid NOT NULL REFERENCES customers,
    manufacturer_no text NOT NULL,
    model           text NOT NULL,
    serial_no       text NOT NULL,
    UNIQUE (manufacturer_no, serial_no)
);

CREATE SEQUENCE contract_no_seq;

CREATE TABLE contracts (
    contract_id     uuid PRIMARY KEY,
    contract_no     text NOT NULL UNIQUE,
    customer_id     uuid NOT NULL REFERENCES customers,
    currency        char(3) NOT NULL,
    start_date      date NOT NULL,
    end_date        date NOT NULL,
    billing_interval_months integer NOT NULL,
    status          text NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (end_date >= start_date)  -- end_date is the last covered day
);
CREATE INDEX contracts_customer ON contracts (customer_id);

CREATE TABLE contract_lines (
    line_id         uuid PRIMARY KEY,
    contract_id     uuid NOT NULL REFERENCES contracts,
    product_id      uuid NOT NULL,
    sku             text NOT NULL,
    product_name    text NOT NULL,
    item_id         uuid NOT NULL REFERENCES covered_items,
    annual_price    numeric(14, 2) NOT NULL CHECK (annual_price >= 0)
);
CREATE INDEX contract_lines_contract ON contract_lines (contract_id);

CREATE TABLE audit_log (
    id              bigserial PRIMARY KEY,
    contract_id     uuid NOT NULL,
    action          text NOT NULL,
    detail          jsonb NOT NULL DEFAULT '{}'::jsonb,
    correlation_id  text,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_contract ON audit_log (contract_id);
