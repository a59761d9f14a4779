"""CSV import of price-list rows on the real stack: upsert by (SKU, list, start), overlaps refused."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from avtal_testing.api import unique
from avtal_testing.imports import PRODUCT_HEADER, csv_text, product_rows, upload
from avtal_testing.stack import StackInfo

HEADER = ["sku", "list_code", "currency", "list_price", "cost", "effective_from", "effective_to"]


async def _sql(stack: StackInfo, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(stack.database_url("catalog"))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


def _vendor(stack: StackInfo) -> str:
    """A vendor of this test's own (vendors are made through the catalog's party API in the product)."""
    code = unique("V").upper()
    sql = "INSERT INTO parties (party_id, kind, code, name) VALUES ($1, 'vendor', $2, 'Test vendor')"
    asyncio.run(_sql(stack, sql, uuid.uuid4(), code))
    return code


def _prices(stack: StackInfo, prefix: str) -> list[tuple[str, str, str | None]]:
    sql = """SELECT p.sku, e.list_price::text, e.effective_to::text FROM price_entries e
             JOIN products p USING (product_id) WHERE p.sku LIKE $1 ORDER BY p.sku, e.effective_from"""
    return [tuple(r) for r in asyncio.run(_sql(stack, sql, f"{prefix}-%"))]  # type: ignore[misc]


def test_price_rows_upsert_by_sku_list_and_start_and_keep_history(stack: StackInfo) -> None:
    prefix, vendor = unique("PRC"), _vendor(stack)
    rows = [
        [f"{prefix}-00000", vendor, "SEK", "100.00", "60.00", "2026-01-01", "2026-06-30"],
        [f"{prefix}-00000", vendor, "SEK", "110.00", "", "2026-07-01", ""],
        [f"{prefix}-00001", vendor, "SEK", "200.00", "", "2026-01-01", ""],
    ]
    with stack.internal("catalog") as catalog:
        upload(catalog, "products", csv_text(PRODUCT_HEADER, product_rows(prefix, 2)).encode())
        first = upload(catalog, "prices", csv_text(HEADER, rows).encode())["report"]
        rows[2][3] = "210.00"
        second = upload(catalog, "prices", csv_text(HEADER, rows).encode())["report"]
        third = upload(catalog, "prices", csv_text(HEADER, rows).encode())["report"]
    assert (first["inserted"], first["committed"]) == (3, True)
    assert (second["inserted"], second["updated"], second["unchanged"]) == (0, 1, 2)
    assert (third["updated"], third["unchanged"]) == (0, 3)
    assert _prices(stack, prefix) == [
        (f"{prefix}-00000", "100.00", "2026-06-30"),
        (f"{prefix}-00000", "110.00", None),
        (f"{prefix}-00001", "210.00", None),
    ]


def test_overlapping_dates_unknown_skus_and_lists_are_row_errors_and_nothing_is_committed(
    stack: StackInfo,
) -> None:
    prefix, vendor = unique("PRC"), _vendor(stack)
    sku = f"{prefix}-00000"
    with stack.internal("catalog") as catalog:
        upload(catalog, "products", csv_text(PRODUCT_HEADER, product_rows(prefix, 1)).encode())
        upload(
            catalog,
            "prices",
            csv_text(HEADER, [[sku, vendor, "SEK", "100.00", "", "2026-01-01", ""]]).encode(),
        )
        rows = [
            [sku, vendor, "SEK", "120.00", "", "2026-03-01", "2026-12-31"],  # row 2: overlaps the stored one
            [f"{prefix}-NOPE", vendor, "SEK", "1.00", "", "2026-01-01", ""],  # row 3: unknown SKU
            [sku, "NO-SUCH-LIST", "SEK", "1.00", "", "2026-01-01", ""],  # row 4: unknown list
            [sku, vendor, "SEK", "1.00", "", "2026-02-01", "2026-01-01"],  # row 5: to before from
        ]
        job = upload(catalog, "prices", csv_text(HEADER, rows).encode())
    errors = {e["row"]: (e["column"], e["reason"]) for e in job["report"]["errors"]}
    assert sorted(errors) == [2, 3, 4, 5]
    assert errors[2][0] == "effective_from" and "overlap the stored price" in errors[2][1]
    assert errors[3][0] == "sku" and errors[4][0] == "list_code"
    assert "before effective_from" in errors[5][1]
    assert job["report"]["committed"] is False
    assert _prices(stack, prefix) == [(sku, "100.00", None)]
