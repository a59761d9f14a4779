-- The search text keeps letters and digits only: PostgreSQL's parser read the "-0421337" of the SKU
-- "BENCH-0421337" as a signed number, so searching the SKU found nothing. Every product row is rewritten
-- once, so its generated columns and product_words follow the new text.
CREATE OR REPLACE FUNCTION product_search_text(sku text, name text, manufacturer text, models text[], category text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT trim(regexp_replace(lower(concat_ws(' ', sku, name, manufacturer, array_to_string(models, ' '),
                                               category)), '[^[:alnum:]]+', ' ', 'g'))
$$;

UPDATE products SET sku = sku;
