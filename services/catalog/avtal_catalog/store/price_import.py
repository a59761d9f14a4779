"""The price-list import target: dated entries upserted by (list, SKU, effective_from), overlaps refused."""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel

from avtal_catalog.domain.imports import PRICE_COLUMNS, PriceRow
from avtal_common.csvimport import Column, ImportOptions, ImportReport, reject

_STAGING = """
CREATE TEMP TABLE import_prices (
    row_no int, sku text, list_code text, currency text, list_price numeric, cost numeric,
    effective_from date, effective_to date
) ON COMMIT DROP
"""
# The staged rows with their product and list resolved (NULL where unknown), made once.
_RESOLVED = """
CREATE TEMP TABLE import_prices_r ON COMMIT DROP AS
SELECT s.*, p.product_id, pa.party_id, daterange(s.effective_from, s.effective_to, '[]') AS effective
FROM import_prices s
LEFT JOIN products p ON p.sku = s.sku
LEFT JOIN parties pa ON pa.code = s.list_code
"""
_CHECKS = (
    """SELECT row_no, 'sku', format('no product has SKU %s; import or create the product first', sku)
       FROM import_prices_r WHERE product_id IS NULL""",
    """SELECT row_no, 'list_code', format('no vendor or distributor has the code %s; create it first',
              list_code)
       FROM import_prices_r WHERE party_id IS NULL""",
    """SELECT row_no, 'effective_from', format('SKU %s on list %s from %s is also in row %s; keep one',
              sku, list_code, effective_from, first)
       FROM (SELECT row_no, sku, list_code, effective_from,
                    min(row_no) OVER (PARTITION BY sku, list_code, effective_from) AS first
             FROM import_prices_r) d
       WHERE row_no <> first""",
    """SELECT a.row_no, 'effective_from', format('its dates %s overlap row %s (%s) for SKU %s on list %s',
              a.effective, min(b.row_no), min(b.effective::text), a.sku, a.list_code)
       FROM import_prices_r a JOIN import_prices_r b
         ON a.sku = b.sku AND a.list_code = b.list_code AND b.row_no < a.row_no
        AND a.effective_from <> b.effective_from AND a.effective && b.effective
       GROUP BY a.row_no, a.effective, a.sku, a.list_code""",
    """SELECT r.row_no, 'effective_from', format(
              'its dates %s overlap the stored price %s for SKU %s on list %s; end that one first or '
              'change these dates', r.effective, e.effective, r.sku, r.list_code)
       FROM import_prices_r r JOIN price_entries e
         ON e.party_id = r.party_id AND e.product_id = r.product_id
        AND e.effective_from <> r.effective_from AND e.effective && r.effective""",
)
_UPDATE = """
UPDATE price_entries e SET {sets}
FROM import_prices_r r
WHERE e.party_id = r.party_id AND e.product_id = r.product_id AND e.effective_from = r.effective_from
  AND ({stored}) IS DISTINCT FROM ({given})
"""
_INSERT = """
INSERT INTO price_entries (entry_id, party_id, product_id, currency, list_price, cost, effective_from,
                           effective_to, created_by)
SELECT gen_random_uuid(), party_id, product_id, currency, list_price, cost, effective_from, effective_to, $1
FROM import_prices_r r
WHERE NOT EXISTS (SELECT 1 FROM price_entries e WHERE e.party_id = r.party_id
                  AND e.product_id = r.product_id AND e.effective_from = r.effective_from)
"""
# Fields an import may change on an entry it finds; a column missing from the file is left alone.
_FIELDS = ("currency", "list_price", "cost", "effective_to")


def _update_sql(present: list[str]) -> str:
    return _UPDATE.format(
        sets=", ".join(f"{f} = r.{f}" for f in present),
        stored=", ".join(f"e.{f}" for f in present),
        given=", ".join(f"r.{f}" for f in present),
    )


class PriceImport:
    """Price-list rows; history is kept: a row with a new effective_from adds an entry."""

    columns: tuple[Column, ...] = PRICE_COLUMNS
    row_model: type[BaseModel] = PriceRow
    staging = "import_prices"

    def __init__(self, created_by: str = "import") -> None:
        self._created_by = created_by

    def staging_ddl(self) -> str:
        return _STAGING

    async def merge(self, conn: asyncpg.Connection, report: ImportReport, options: ImportOptions) -> None:
        await conn.execute(_RESOLVED)
        await conn.execute("ANALYZE import_prices_r")  # a temp table has no statistics otherwise
        await reject(conn, "import_prices_r", report, _CHECKS)
        present = [f for f in _FIELDS if f in report.mapping]
        updated = await conn.execute(_update_sql(present))
        inserted = await conn.execute(_INSERT, self._created_by)
        report.updated, report.inserted = _count(updated), _count(inserted)
        report.unchanged = report.rows_valid - report.updated - report.inserted


def _count(status: str) -> int:
    """'UPDATE 12' / 'INSERT 0 12' → 12."""
    return int(status.rsplit(" ", 1)[-1])
