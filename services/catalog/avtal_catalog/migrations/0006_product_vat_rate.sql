-- A product's VAT rate (percent), printed per invoice line; NULL: each customer's rate (issue 9).
ALTER TABLE products ADD COLUMN vat_rate numeric(5, 2) CHECK (vat_rate BETWEEN 0 AND 100);
