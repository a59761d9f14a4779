-- Issue 7: maintenance products, vendor/distributor price lists, price jobs, product search.
-- The table/column contract is docs/catalog-schema.md; changes after this file are additive only.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE maintenance_levels (
    code                text PRIMARY KEY,            -- 'bronze', 'silver', 'gold'
    name                text NOT NULL,
    response_hours      integer NOT NULL CHECK (response_hours > 0),
    coverage            text NOT NULL,               -- hours of coverage, e.g. '8x5', '24x7'
    onsite              boolean NOT NULL,            -- false = remote only
    parts_included      boolean NOT NULL
);

-- Everything a product is searched by, in one text (array_to_string is only STABLE in the
-- catalogue, but is immutable for text[]; generated columns and indexes need IMMUTABLE).
CREATE FUNCTION product_search_text(sku text, name text, manufacturer text, models text[], category text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lower(concat_ws(' ', sku, name, manufacturer, array_to_string(models, ' '), category))
$$;

ALTER TABLE products
    ADD COLUMN manufacturer       text,
    ADD COLUMN models             text[] NOT NULL DEFAULT '{}',
    ADD COLUMN maintenance_level  text REFERENCES maintenance_levels (code),
    ADD COLUMN billing_unit       text NOT NULL DEFAULT 'item_year'
                                  CHECK (billing_unit IN ('item_month', 'item_year')),
    ADD COLUMN retired_at         timestamptz,
    ADD COLUMN created_at         timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN search_text        text GENERATED ALWAYS AS
        (product_search_text(sku, name, manufacturer, models, category)) STORED,
    ADD COLUMN search             tsvector GENERATED ALWAYS AS
        (to_tsvector('simple', product_search_text(sku, name, manufacturer, models, category))) STORED,
    ADD CONSTRAINT products_retired_inactive CHECK (retired_at IS NULL OR NOT active);

CREATE INDEX products_search ON products USING gin (search);
CREATE INDEX products_search_trgm ON products USING gin (search_text gin_trgm_ops);
CREATE INDEX products_manufacturer ON products (lower(manufacturer));
CREATE INDEX products_category ON products (category);
CREATE INDEX products_models ON products USING gin (models);

-- Vendors and distributors; each one's price list is its price_entries.
CREATE TABLE parties (
    party_id            uuid PRIMARY KEY,
    kind                text NOT NULL CHECK (kind IN ('vendor', 'distributor')),
    code                text NOT NULL UNIQUE,        -- short stable key, e.g. 'DELL', 'INGRAM'
    name                text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE price_jobs (
    job_id              uuid PRIMARY KEY,
    status              text NOT NULL CHECK (status IN ('previewed', 'applied', 'reverted')),
    rule                jsonb NOT NULL,              -- change, rounding, effective_from
    selection           jsonb NOT NULL,              -- vendor, distributor, category, manufacturer, skus
    effective_from      date NOT NULL,
    row_count           integer NOT NULL DEFAULT 0,
    revenue_impact      jsonb NOT NULL DEFAULT '{}', -- currency -> annual amount, as previewed
    created_by          text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    applied_by          text,
    applied_at          timestamptz,
    reverted_by         text,
    reverted_at         timestamptz
);

-- effective_to is the last day the price holds (inclusive); NULL = open-ended.
CREATE TABLE price_entries (
    entry_id            uuid PRIMARY KEY,
    party_id            uuid NOT NULL REFERENCES parties,
    product_id          uuid NOT NULL REFERENCES products,
    currency            char(3) NOT NULL,
    list_price          numeric(14, 2) NOT NULL CHECK (list_price >= 0),
    cost                numeric(14, 2) CHECK (cost >= 0),
    effective_from      date NOT NULL,
    effective_to        date CHECK (effective_to IS NULL OR effective_to >= effective_from),
    effective           daterange GENERATED ALWAYS AS (daterange(effective_from, effective_to, '[]')) STORED,
    job_id              uuid REFERENCES price_jobs,  -- the price job that wrote this entry, if any
    created_by          text NOT NULL DEFAULT 'system',
    created_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT price_entries_no_overlap
        EXCLUDE USING gist (party_id WITH =, product_id WITH =, effective WITH &&)
);
CREATE INDEX price_entries_product ON price_entries (product_id, party_id, effective_from);

-- One row per price a job changes: the old entry (closed the day before effective_from, or
-- changed in place when it starts that day) and the new entry written from effective_from on.
CREATE TABLE price_job_rows (
    job_id              uuid NOT NULL REFERENCES price_jobs,
    entry_id            uuid NOT NULL,               -- no FK: reverting an earlier job deletes entries
    new_entry_id        uuid,                        -- NULL when the old entry was changed in place
    product_id          uuid NOT NULL,
    party_id            uuid NOT NULL,
    currency            char(3) NOT NULL,
    old_price           numeric(14, 2) NOT NULL,
    new_price           numeric(14, 2) NOT NULL CHECK (new_price >= 0),
    old_effective_to    date,
    PRIMARY KEY (job_id, entry_id)
);
CREATE INDEX price_job_rows_entry ON price_job_rows (entry_id);
CREATE INDEX price_job_rows_new_entry ON price_job_rows (new_entry_id);
