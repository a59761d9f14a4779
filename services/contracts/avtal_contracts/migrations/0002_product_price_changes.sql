-- List price changes of a product as the catalog announced them (catalog.price.changed); repricing
-- contract lines by each contract's price policy reads these (a later issue).
CREATE TABLE product_price_changes (
    product_id      uuid NOT NULL,
    job_id          uuid NOT NULL,
    party_code      text NOT NULL,
    party_kind      text NOT NULL,
    reverted        boolean NOT NULL,
    currency        char(3) NOT NULL,
    old_price       numeric(14, 2) NOT NULL,
    new_price       numeric(14, 2) NOT NULL,
    effective_from  date NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (product_id, job_id, party_code, reverted)
);
