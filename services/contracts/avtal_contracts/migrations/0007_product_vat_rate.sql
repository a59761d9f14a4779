-- The catalog's VAT rate of each product (NULL: each customer's rate), carried on contract lines to
-- billing in contract.state (issue 9).
ALTER TABLE products ADD COLUMN vat_rate numeric(5, 2);
