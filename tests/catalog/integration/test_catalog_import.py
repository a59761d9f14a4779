"""CSV import of products through the catalog's internal API on the real stack (issue 7's Must show)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from avtal_testing.api import ok, unique
from avtal_testing.imports import PRODUCT_HEADER, csv_text, product_rows, upload
from avtal_testing.stack import StackInfo

N = 10_000


def _with_three_bad_rows(prefix: str) -> tuple[bytes, dict[int, str]]:
    rows = product_rows(prefix, N)
    rows[99][5] = "12x.50"  # spreadsheet row 101
    rows[5000][1] = ""  # row 5002: no name
    rows[9997][6] = "EURO"  # row 9999
    return csv_text(PRODUCT_HEADER, rows).encode(), {101: "annual_price", 5002: "name", 9999: "currency"}


async def _count(stack: StackInfo, sql: str, *args: object) -> int:
    conn = await asyncpg.connect(stack.database_url("catalog"))
    try:
        return int(await conn.fetchval(sql, *args))
    finally:
        await conn.close()


def _products(stack: StackInfo, prefix: str) -> int:
    return asyncio.run(_count(stack, "SELECT count(*) FROM products WHERE sku LIKE $1", f"{prefix}-%"))


def _versions(stack: StackInfo, prefix: str) -> int:
    sql = "SELECT sum(version) FROM products WHERE sku LIKE $1"
    return asyncio.run(_count(stack, sql, f"{prefix}-%"))


def _events(stack: StackInfo, prefix: str) -> int:
    sql = "SELECT count(*) FROM outbox WHERE topic = 'catalog.product.upserted' AND key IN "
    sql += "(SELECT product_id::text FROM products WHERE sku LIKE $1)"
    return asyncio.run(_count(stack, sql, f"{prefix}-%"))


def test_a_10000_row_file_with_3_bad_rows_names_exactly_those_rows_and_commits_nothing(
    stack: StackInfo,
) -> None:
    prefix = unique("IMP")
    data, bad = _with_three_bad_rows(prefix)
    with stack.internal("catalog") as catalog:
        job = upload(catalog, "products", data)
    report = job["report"]
    assert {e["row"]: e["column"] for e in report["errors"]} == bad
    assert all(e["reason"] for e in report["errors"])
    assert (report["rows_read"], report["rows_invalid"], report["committed"]) == (N, 3, False)
    assert _products(stack, prefix) == 0


def test_in_valid_rows_mode_the_9997_good_rows_are_committed(stack: StackInfo) -> None:
    prefix = unique("IMP")
    data, bad = _with_three_bad_rows(prefix)
    with stack.internal("catalog") as catalog:
        job = upload(catalog, "products", data, mode="valid_rows")
    assert [e["row"] for e in job["report"]["errors"]] == sorted(bad)
    assert (job["report"]["inserted"], job["report"]["committed"]) == (N - 3, True)
    assert _products(stack, prefix) == N - 3


def test_a_dry_run_reports_what_the_import_would_do_and_commits_nothing(stack: StackInfo) -> None:
    prefix = unique("IMP")
    data = csv_text(PRODUCT_HEADER, product_rows(prefix, 50)).encode()
    with stack.internal("catalog") as catalog:
        job = upload(catalog, "products", data, dry_run=True)
    assert (job["report"]["inserted"], job["report"]["committed"]) == (50, False)
    assert _products(stack, prefix) == 0


def test_utf8_with_bom_semicolons_and_decimal_comma_and_latin1_import_identically(stack: StackInfo) -> None:
    prefix = unique("IMP")
    rows = product_rows(prefix, 200)
    plain = csv_text(PRODUCT_HEADER, rows).encode("utf-8")
    semi = csv_text(PRODUCT_HEADER, rows, delimiter=";", decimal_comma=True)
    with stack.internal("catalog") as catalog:
        first = upload(catalog, "products", plain)["report"]
        bom = upload(catalog, "products", b"\xef\xbb\xbf" + semi.encode("utf-8"), decimal_comma=True)[
            "report"
        ]
        latin = upload(catalog, "products", semi.encode("latin-1"), encoding="latin-1", decimal_comma=True)[
            "report"
        ]
    assert (first["inserted"], first["committed"]) == (200, True)
    # Same values read from each form: nothing to change, so every row is unchanged.
    for again in (bom, latin):
        assert (again["delimiter"], again["unchanged"], again["updated"], again["rows_invalid"]) == (
            ";",
            200,
            0,
            0,
        )


def test_reimporting_the_same_file_changes_nothing(stack: StackInfo) -> None:
    prefix = unique("IMP")
    data = csv_text(PRODUCT_HEADER, product_rows(prefix, 100)).encode()
    with stack.internal("catalog") as catalog:
        upload(catalog, "products", data)
        events = _events(stack, prefix)
        again = upload(catalog, "products", data)["report"]
    assert events == 100
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 100)
    assert _versions(stack, prefix) == 100  # every one still at version 1
    assert _events(stack, prefix) == 100


def test_a_changed_row_bumps_only_that_products_version_and_emits_one_event(stack: StackInfo) -> None:
    prefix = unique("IMP")
    rows = product_rows(prefix, 10)
    with stack.internal("catalog") as catalog:
        upload(catalog, "products", csv_text(PRODUCT_HEADER, rows).encode())
        rows[3][1] = "Renamed"
        report = upload(catalog, "products", csv_text(PRODUCT_HEADER, rows).encode())["report"]
    assert (report["updated"], report["unchanged"]) == (1, 9)
    assert _events(stack, prefix) == 11


@pytest.mark.parametrize(
    ("body", "row", "words"),
    [
        (
            'sku,name,annual_price,currency\r\nA-1,Ok,1.00,SEK\r\nA-2,"Open quote,2.00,SEK\r\n'
            "A-3,x,3.00,SEK\r\n",
            3,
            "not closed",
        ),
        (
            "sku,name,annual_price,currency\r\nA-1,Ok,1.00,SEK\r\nA-2," + "x" * 20_000 + ",2.00,SEK\r\n",
            3,
            "longer than",
        ),
    ],
    ids=["unclosed quote", "oversized field"],
)
def test_an_unclosed_quote_or_an_oversized_field_is_a_row_numbered_error(
    stack: StackInfo, body: str, row: int, words: str
) -> None:
    with stack.internal("catalog") as catalog:
        job = upload(catalog, "products", body.encode(), mode="valid_rows")
    assert job["status"] == "failed"
    assert job["report"]["fatal"].startswith(f"row {row}:") and words in job["report"]["fatal"]
    assert job["report"]["committed"] is False


def test_a_file_without_the_required_columns_asks_for_a_mapping_and_a_chosen_mapping_imports_it(
    stack: StackInfo,
) -> None:
    prefix = unique("IMP")
    body = f"Artikel;Benämning;Pris;Valuta\r\n{prefix}-1;Kabel;10,50;SEK\r\n".encode()
    mapping = '{"Artikel": "sku", "Pris": "annual_price"}'
    with stack.internal("catalog") as catalog:
        unmapped = upload(catalog, "products", body, decimal_comma=True)
        mapped = upload(
            catalog, "products", body, decimal_comma=True, mapping=mapping, save_mapping_as=prefix
        )
        saved = ok(catalog.get("/imports/mappings/products"))
        again = upload(catalog, "products", body, decimal_comma=True, mapping_name=prefix)
    assert "sku" in unmapped["report"]["fatal"] and "Artikel" in unmapped["report"]["fatal"]
    assert (mapped["report"]["inserted"], mapped["report"]["mapping"]["sku"]) == (1, "Artikel")
    assert {
        "name": prefix,
        "kind": "products",
        "mapping": {"Artikel": "sku", "Benämning": "name", "Pris": "annual_price", "Valuta": "currency"},
    } in saved
    assert again["report"]["unchanged"] == 1
