"""SQL of the contracts import: staging, reference resolution and the set-based referential checks."""

STAGING = """
CREATE TEMP TABLE import_contracts (
    row_no int, contract_ref text, customer_ref text, start_date date, end_date date, currency text,
    billing_interval_months int, billing_timing text, price_policy text, uplift_pct numeric,
    auto_renew boolean, notice_days int, status text, sku text, manufacturer_no text, model text,
    serial_no text, unit_price numeric, quantity int, line_start date, line_end date,
    customer_id uuid, product_id uuid, first_day date, last_day date
) ON COMMIT DROP
"""
RESOLVE = """
UPDATE import_contracts s SET customer_id = c.customer_id, currency = coalesce(s.currency, c.currency)
FROM customers c WHERE c.external_ref = s.customer_ref;
UPDATE import_contracts s SET product_id = p.product_id FROM products p WHERE p.sku = s.sku;
UPDATE import_contracts
SET first_day = coalesce(line_start, start_date), last_day = coalesce(line_end, end_date);
"""
# Contracts imported before (by their reference): the import never changes them (amendments are workflow
# operations with their own audit); their rows leave the staging table and count as unchanged.
EXISTING = """
WITH gone AS (
    DELETE FROM import_contracts s USING contracts c WHERE c.external_ref = s.contract_ref
    RETURNING s.contract_ref)
SELECT count(DISTINCT contract_ref) FROM gone
"""
_TERMS = (
    "customer_ref, start_date, end_date, currency, billing_interval_months, billing_timing, price_policy, "
    "uplift_pct, auto_renew, notice_days, status"
)
CHECKS = (
    """SELECT row_no, 'customer_ref', format('no customer has the reference %s; import the customers first',
              customer_ref)
       FROM import_contracts WHERE customer_id IS NULL""",
    """SELECT row_no, 'sku', format('no product has the SKU %s in the catalog', sku)
       FROM import_contracts WHERE product_id IS NULL""",
    f"""SELECT s.row_no, NULL, format('contract %s has other terms in row %s: customer, dates, currency, '
              'billing and renewal terms must be the same on every row of a contract',
              s.contract_ref, f.row_no)
       FROM import_contracts s
       JOIN (SELECT DISTINCT ON (contract_ref) * FROM import_contracts ORDER BY contract_ref, row_no) f
         ON f.contract_ref = s.contract_ref AND f.row_no <> s.row_no
       WHERE ({", ".join(f"s.{c}" for c in _TERMS.split(", "))})
             IS DISTINCT FROM ({", ".join(f"f.{c}" for c in _TERMS.split(", "))})""",
    """SELECT s.row_no, 'serial_no', format(
              'serial number %s of manufacturer %s is registered to customer %s (%s)',
              s.serial_no, s.manufacturer_no, c.name, coalesce(c.external_ref, c.customer_id::text))
       FROM import_contracts s
       JOIN covered_items i ON i.manufacturer_no = s.manufacturer_no AND i.serial_no = s.serial_no
       JOIN customers c ON c.customer_id = i.customer_id
       WHERE s.customer_id IS NOT NULL AND i.customer_id <> s.customer_id""",
    """SELECT a.row_no, 'serial_no', format('serial number %s of manufacturer %s is also in row %s for '
              'overlapping days (%s..%s); an item is on one contract line per day',
              a.serial_no, a.manufacturer_no, b.row_no, greatest(a.first_day, b.first_day),
              least(a.last_day, b.last_day))
       FROM import_contracts a JOIN import_contracts b
         ON b.manufacturer_no = a.manufacturer_no AND b.serial_no = a.serial_no AND b.row_no < a.row_no
        AND daterange(a.first_day, a.last_day, '[]') && daterange(b.first_day, b.last_day, '[]')""",
    """SELECT s.row_no, 'serial_no', format('item %s/%s is already covered by contract %s%s from %s to %s: '
              'an item is on one contract per day', s.manufacturer_no, s.serial_no, c.contract_no,
              coalesce(' (' || c.external_ref || ')', ''), l.start_date, l.end_date)
       FROM import_contracts s
       JOIN covered_items i ON i.manufacturer_no = s.manufacturer_no AND i.serial_no = s.serial_no
       JOIN contract_lines l ON l.item_id = i.item_id
        AND daterange(l.start_date, l.end_date, '[]') && daterange(s.first_day, s.last_day, '[]')
       JOIN contracts c ON c.contract_id = l.contract_id""",
    # Last: a contract is imported whole or not at all, so one bad row keeps its other rows out.
    """SELECT s.row_no, NULL, format('contract %s is left out: its row %s has an error', s.contract_ref,
              min(e.row_no))
       FROM import_contracts s JOIN import_contracts o ON o.contract_ref = s.contract_ref
       JOIN import_errors e ON e.row_no = o.row_no
       WHERE NOT EXISTS (SELECT 1 FROM import_errors x WHERE x.row_no = s.row_no)
       GROUP BY s.row_no, s.contract_ref""",
)
# Rows the validator refused (a bad date, a missing field) by the contract their file row names.
UNREADABLE_TABLE = "CREATE TEMP TABLE import_unreadable (contract_ref text, row_no int) ON COMMIT DROP"
ADD_UNREADABLE = "INSERT INTO import_unreadable (contract_ref, row_no) VALUES ($1, $2)"
UNREADABLE_CHECK = """
SELECT s.row_no, NULL, format('contract %s is left out: its row %s has an error', s.contract_ref, u.row_no)
FROM import_contracts s
JOIN (SELECT contract_ref, min(row_no) AS row_no FROM import_unreadable GROUP BY contract_ref) u
  USING (contract_ref)
"""
GROUPS = """
SELECT contract_ref, customer_id, currency, start_date, end_date, billing_interval_months, billing_timing,
       price_policy, uplift_pct, auto_renew, notice_days, status,
       array_agg(row_no ORDER BY row_no) AS rows, array_agg(sku ORDER BY row_no) AS skus,
       array_agg(manufacturer_no ORDER BY row_no) AS makers, array_agg(model ORDER BY row_no) AS models,
       array_agg(serial_no ORDER BY row_no) AS serials, array_agg(unit_price ORDER BY row_no) AS prices,
       array_agg(quantity ORDER BY row_no) AS quantities, array_agg(line_start ORDER BY row_no) AS starts,
       array_agg(line_end ORDER BY row_no) AS ends
FROM import_contracts
GROUP BY contract_ref, customer_id, currency, start_date, end_date, billing_interval_months, billing_timing,
         price_policy, uplift_pct, auto_renew, notice_days, status
ORDER BY min(row_no)
"""
