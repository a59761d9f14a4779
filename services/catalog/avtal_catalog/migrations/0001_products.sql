CREATE TABLE products (
    product_id      uuid PRIMARY KEY,
    sku             text NOT NULL UNIQUE,
    name            text NOT NULL,
    description     text NOT NULL DEFAULT '',
    vendor          text,
    category        text,
    annual_price    numeric(14, 2) NOT NULL CHECK (annual_price >= 0),
    currency        char(3) NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    version         integer NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
