-- An invoice may group several contracts of one customer (issue 9): it names no single contract.
ALTER TABLE invoice_facts ALTER COLUMN contract_id DROP NOT NULL;
