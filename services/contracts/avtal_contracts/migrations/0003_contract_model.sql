-- The contract model of issue 8: customers with their billing terms, sites, covered items with their
-- product and site, contracts with frequency, price policy, renewal and notice terms, dated lines, and an
-- audit history with before and after. docs/contracts-model.md explains each column.
CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE customers
    ADD COLUMN contact_name        text,
    ADD COLUMN phone               text,
    ADD COLUMN address_line        text,
    ADD COLUMN postal_code         text,
    ADD COLUMN city                text,
    ADD COLUMN country             char(2) NOT NULL DEFAULT 'SE',
    ADD COLUMN currency            char(3) NOT NULL DEFAULT 'SEK',
    ADD COLUMN payment_terms_days  integer NOT NULL DEFAULT 30 CHECK (payment_terms_days BETWEEN 0 AND 365),
    ADD COLUMN tax_id              text,
    ADD COLUMN vat_rate            numeric(5, 2) NOT NULL DEFAULT 25.00 CHECK (vat_rate BETWEEN 0 AND 100),
    ADD COLUMN reverse_charge      boolean NOT NULL DEFAULT false,
    -- ids of this customer in other systems (CRM, accounting): {"crm": "...", "erp": "..."}
    ADD COLUMN external_ids        jsonb NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN version             integer NOT NULL DEFAULT 1,
    ADD COLUMN updated_at          timestamptz NOT NULL DEFAULT now();

CREATE TABLE sites (
    site_id         uuid PRIMARY KEY,
    customer_id     uuid NOT NULL REFERENCES customers,
    name            text NOT NULL,
    address_line    text,
    postal_code     text,
    city            text,
    country         char(2) NOT NULL DEFAULT 'SE',
    external_ref    text UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (customer_id, name)
);

ALTER TABLE covered_items
    ADD COLUMN product_id      uuid,
    ADD COLUMN site_id         uuid REFERENCES sites,
    ADD COLUMN install_date    date,
    ADD COLUMN external_ref    text UNIQUE,
    ADD COLUMN created_at      timestamptz NOT NULL DEFAULT now();
CREATE INDEX covered_items_customer ON covered_items (customer_id);
CREATE INDEX covered_items_site ON covered_items (site_id) WHERE site_id IS NOT NULL;

ALTER TABLE contracts
    -- 'advance': a period is invoiced at its start; 'arrears': after its end
    ADD COLUMN billing_timing      text NOT NULL DEFAULT 'advance' CHECK (billing_timing IN ('advance', 'arrears')),
    -- 'fixed' for the term; 'list' follows the price list; 'uplift_pct' / 'uplift_index' at each renewal
    ADD COLUMN price_policy        text NOT NULL DEFAULT 'fixed'
        CHECK (price_policy IN ('fixed', 'list', 'uplift_pct', 'uplift_index')),
    ADD COLUMN uplift_pct          numeric(6, 3),
    ADD COLUMN uplift_index        text,
    ADD COLUMN auto_renew          boolean NOT NULL DEFAULT false,
    ADD COLUMN renewal_term_months integer NOT NULL DEFAULT 12 CHECK (renewal_term_months BETWEEN 1 AND 120),
    ADD COLUMN notice_days         integer NOT NULL DEFAULT 0 CHECK (notice_days BETWEEN 0 AND 730),
    ADD COLUMN terminated_on       date,
    ADD COLUMN termination_reason  text,
    ADD COLUMN renewed_from        uuid REFERENCES contracts,
    ADD COLUMN renewed_to          uuid REFERENCES contracts,
    ADD COLUMN external_ref        text UNIQUE,
    ADD COLUMN updated_at          timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT contracts_status CHECK
        (status IN ('draft', 'active', 'expiring', 'renewed', 'expired', 'terminated')),
    ADD CONSTRAINT contracts_uplift CHECK
        (price_policy <> 'uplift_pct' OR uplift_pct IS NOT NULL);
CREATE INDEX contracts_end_date ON contracts (end_date);
CREATE INDEX contracts_status_end ON contracts (status, end_date);

-- A line covers its item from start_date to end_date (both inclusive) at unit_price per unit and year;
-- annual_price = unit_price * quantity. Removing a line ends it (history stays); a line removed before
-- its first day is deleted.
ALTER TABLE contract_lines
    ADD COLUMN unit_price      numeric(14, 2),
    ADD COLUMN quantity        integer NOT NULL DEFAULT 1 CHECK (quantity >= 1),
    ADD COLUMN price_source    text NOT NULL DEFAULT 'list' CHECK (price_source IN ('list', 'override')),
    ADD COLUMN start_date      date,
    ADD COLUMN end_date        date;
UPDATE contract_lines l SET unit_price = l.annual_price, start_date = c.start_date, end_date = c.end_date
FROM contracts c WHERE c.contract_id = l.contract_id;
ALTER TABLE contract_lines
    ALTER COLUMN unit_price SET NOT NULL,
    ALTER COLUMN start_date SET NOT NULL,
    ALTER COLUMN end_date SET NOT NULL,
    ADD CONSTRAINT contract_lines_dates CHECK (end_date >= start_date),
    -- no double coverage: an item is on at most one line on any day
    ADD CONSTRAINT contract_lines_no_double_coverage
        EXCLUDE USING gist (item_id WITH =, daterange(start_date, end_date, '[]') WITH &&);
CREATE INDEX contract_lines_item ON contract_lines (item_id);
CREATE INDEX contract_lines_product ON contract_lines (product_id);

ALTER TABLE audit_log
    ADD COLUMN actor           text,
    ADD COLUMN version         integer,
    ADD COLUMN effective_date  date,
    ADD COLUMN before          jsonb,
    ADD COLUMN after           jsonb;
