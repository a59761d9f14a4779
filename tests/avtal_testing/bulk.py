"""Many contracts at once for bulk tests: rows written straight into the contracts database (the API
would take minutes for a thousand), each contract with one covered item on one line. They start in 2031:
once a bulk job publishes their state, billing knows them, and the suite's billing runs (as of 2026)
must not invoice thousands of them."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

_ITEMS = """
INSERT INTO covered_items (item_id, customer_id, manufacturer_no, model, serial_no)
SELECT md5($1 || i)::uuid, $2, 'BULK', 'DL380', $1 || '-' || i FROM generate_series(1, $3) AS i
"""
_CONTRACTS = """
INSERT INTO contracts (contract_id, contract_no, customer_id, currency, start_date, end_date,
                       billing_interval_months, status, version)
SELECT md5($1 || 'c' || i)::uuid, $1 || '-' || lpad(i::text, 6, '0'), $2, 'SEK', $4::date,
       $5::date + (i % 90), 12, 'active', 1
FROM generate_series(1, $3) AS i
"""
_LINES = """
INSERT INTO contract_lines (line_id, contract_id, product_id, sku, product_name, item_id, annual_price,
                            unit_price, quantity, start_date, end_date)
SELECT md5($1 || 'l' || i)::uuid, md5($1 || 'c' || i)::uuid, p.product_id, p.sku, p.name, md5($1 || i)::uuid,
       1200 + i % 7, 1200 + i % 7, 1, $3::date, $4::date + (i % 90)
FROM generate_series(1, $2) AS i, products p WHERE p.sku = $5
"""


async def load_contracts(
    conn: asyncpg.Connection,
    prefix: str,
    customer_id: uuid.UUID,
    sku: str,
    n: int,
    start: date = date(2031, 1, 1),
    first_end: date = date(2031, 12, 1),
) -> list[uuid.UUID]:
    """`n` active contracts numbered `<prefix>-000001`…, ending `first_end` plus 0..89 days; their ids
    in number order."""
    async with conn.transaction():
        await conn.execute(_ITEMS, prefix, customer_id, n)
        await conn.execute(_CONTRACTS, prefix, customer_id, n, start, first_end)
        await conn.execute(_LINES, prefix, n, start, first_end, sku)
    rows = await conn.fetch(
        "SELECT contract_id FROM contracts WHERE contract_no LIKE $1 || '-%' ORDER BY contract_no", prefix
    )
    return [r["contract_id"] for r in rows]
