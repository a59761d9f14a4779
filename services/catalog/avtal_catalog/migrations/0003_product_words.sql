-- Typo tolerance by word: every word of the products' search text (not bare numbers), so a search
-- corrects each unknown word to its nearest known one (trigram) before the full-text query. Matching
-- whole search texts by trigram instead matched a tenth of a million products for "powredge r740".
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

CREATE TABLE product_words (
    word    text PRIMARY KEY
);
CREATE INDEX product_words_trgm ON product_words USING gin (word gin_trgm_ops);
CREATE INDEX product_words_prefix ON product_words (word text_pattern_ops);

CREATE FUNCTION product_words_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO product_words (word)
    SELECT DISTINCT w FROM new_rows, regexp_split_to_table(new_rows.search_text, '[^[:alnum:]]+') AS w
    WHERE w ~ '[[:alpha:]]' AND length(w) BETWEEN 2 AND 64
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER product_words_on_insert AFTER INSERT ON products
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION product_words_add();
CREATE TRIGGER product_words_on_update AFTER UPDATE ON products
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION product_words_add();

INSERT INTO product_words (word)
SELECT DISTINCT w FROM products, regexp_split_to_table(products.search_text, '[^[:alnum:]]+') AS w
WHERE w ~ '[[:alpha:]]' AND length(w) BETWEEN 2 AND 64
ON CONFLICT DO NOTHING;

-- Search no longer matches whole texts by trigram; this index only slowed every product write.
DROP INDEX products_search_trgm;
