"""SQL of the price job repository; apply and revert are a few set-based statements each."""

CANDIDATES = """
SELECT e.entry_id, e.party_id, e.product_id, e.currency, e.list_price, e.cost, e.effective_from,
       e.effective_to, e.job_id
FROM price_entries e JOIN products p USING (product_id) JOIN parties pa USING (party_id)
WHERE e.effective @> $1::date
  AND (cardinality($2::text[]) = 0 OR pa.code = ANY($2::text[]))
  AND ($3::text IS NULL OR p.category = $3)
  AND ($4::text IS NULL OR lower(p.manufacturer) = lower($4))
  AND (cardinality($5::text[]) = 0 OR p.sku = ANY($5::text[]))
ORDER BY e.entry_id
"""
INSERT_JOB = """
INSERT INTO price_jobs (job_id, status, rule, selection, effective_from, row_count, revenue_impact,
                        created_by)
VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7::jsonb, $8)
"""
_JOB_COLUMNS = """job_id, status, rule::text, selection::text, effective_from, row_count,
    revenue_impact::text, created_by, created_at, applied_by, applied_at, reverted_by, reverted_at"""
GET = f"SELECT {_JOB_COLUMNS} FROM price_jobs WHERE job_id = $1"
LIST = f"SELECT {_JOB_COLUMNS} FROM price_jobs ORDER BY created_at DESC, job_id LIMIT $1 OFFSET $2"
COUNT = "SELECT count(*) FROM price_jobs"
ROWS = """
SELECT r.entry_id, r.new_entry_id, r.product_id, p.sku, p.name, pa.code AS party_code, pa.kind AS party_kind,
       r.currency, r.old_price, r.new_price
FROM price_job_rows r JOIN products p USING (product_id) JOIN parties pa USING (party_id)
WHERE r.job_id = $1 ORDER BY p.sku, pa.code LIMIT $2 OFFSET $3
"""
# A preview is applied only if every old entry still holds what the preview saw.
STALE = """
SELECT count(*) FROM price_job_rows r JOIN price_entries e USING (entry_id)
WHERE r.job_id = $1 AND (e.list_price <> r.old_price OR e.effective_to IS DISTINCT FROM r.old_effective_to)
"""
CLOSE_OLD = """
UPDATE price_entries e SET effective_to = $2::date - 1
FROM price_job_rows r WHERE r.job_id = $1 AND r.new_entry_id IS NOT NULL AND e.entry_id = r.entry_id
"""
CHANGE_IN_PLACE = """
UPDATE price_entries e SET list_price = r.new_price
FROM price_job_rows r WHERE r.job_id = $1 AND r.new_entry_id IS NULL AND e.entry_id = r.entry_id
"""
INSERT_NEW = """
INSERT INTO price_entries (entry_id, party_id, product_id, currency, list_price, cost, effective_from,
                           effective_to, job_id, created_by)
SELECT r.new_entry_id, r.party_id, r.product_id, r.currency, r.new_price, e.cost, $2, r.old_effective_to,
       $1, $3
FROM price_job_rows r JOIN price_entries e USING (entry_id)
WHERE r.job_id = $1 AND r.new_entry_id IS NOT NULL
"""
MARK_APPLIED = (
    "UPDATE price_jobs SET status = 'applied', applied_by = $2, applied_at = now() WHERE job_id = $1"
)
MARK_REVERTED = (
    "UPDATE price_jobs SET status = 'reverted', reverted_by = $2, reverted_at = now() WHERE job_id = $1"
)
# Another job (applied, or a preview waiting) that includes an entry this job wrote or changed in place.
LATER_JOB = """
SELECT o.job_id FROM price_job_rows o JOIN price_jobs j ON j.job_id = o.job_id
WHERE o.job_id <> $1 AND j.status IN ('applied', 'previewed') AND o.entry_id IN (
    SELECT coalesce(r.new_entry_id, r.entry_id) FROM price_job_rows r WHERE r.job_id = $1)
LIMIT 1
"""
DELETE_NEW = """
DELETE FROM price_entries e USING price_job_rows r WHERE r.job_id = $1 AND e.entry_id = r.new_entry_id
"""
REOPEN_OLD = """
UPDATE price_entries e SET effective_to = r.old_effective_to
FROM price_job_rows r WHERE r.job_id = $1 AND r.new_entry_id IS NOT NULL AND e.entry_id = r.entry_id
"""
RESTORE_IN_PLACE = """
UPDATE price_entries e SET list_price = r.old_price
FROM price_job_rows r WHERE r.job_id = $1 AND r.new_entry_id IS NULL AND e.entry_id = r.entry_id
"""
# One catalog.price.changed envelope per product, built in the database (same JSON as `Envelope`).
EVENTS = """
INSERT INTO outbox (event_id, topic, key, payload, headers)
SELECT g.event_id, 'catalog.price.changed', g.product_id::text,
    convert_to(jsonb_build_object(
        'event_id', g.event_id, 'event_type', 'catalog.price.changed', 'schema_version', 1,
        'occurred_at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'producer', 'catalog', 'correlation_id', $3::text, 'causation_id', NULL,
        'aggregate_id', g.product_id::text, 'version', g.version,
        'data', jsonb_build_object('product_id', g.product_id, 'sku', g.sku, 'job_id', $1::uuid,
            'effective_from', $2::date, 'reverted', $4::boolean, 'prices', g.prices))::text, 'UTF8'),
    jsonb_strip_nulls(jsonb_build_object('event_id', g.event_id::text,
        'event_type', 'catalog.price.changed', 'x-correlation-id', $3::text))
FROM (
    SELECT r.product_id, p.sku, p.version, gen_random_uuid() AS event_id,
        jsonb_agg(jsonb_build_object('party_code', pa.code, 'party_kind', pa.kind, 'currency', r.currency,
            'old_price', (CASE WHEN $4 THEN r.new_price ELSE r.old_price END)::text,
            'new_price', (CASE WHEN $4 THEN r.old_price ELSE r.new_price END)::text)
            ORDER BY pa.code) AS prices
    FROM price_job_rows r JOIN products p USING (product_id) JOIN parties pa USING (party_id)
    WHERE r.job_id = $1 GROUP BY r.product_id, p.sku, p.version
) g
"""
