"""CSV imports of customers, covered items and contracts on the real stack (issue 8's import rules)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
import httpx

from avtal_common import topics
from avtal_testing.api import eventually, ok, unique
from avtal_testing.imports import upload
from avtal_testing.kafka import read_all
from avtal_testing.stack import StackInfo

CUSTOMERS = "external_ref,name,email,country,currency,tax_id,vat_rate,reverse_charge,city\n"
ITEMS = "customer_ref,manufacturer_no,model,serial_no,sku,site,install_date\n"
CONTRACTS = "contract_ref,customer_ref,start_date,end_date,sku,manufacturer_no,model,serial_no,unit_price\n"


def _import(stack: StackInfo, kind: str, text: str, **options: Any) -> dict[str, Any]:
    with stack.internal("contracts") as contracts:
        job = upload(
            contracts, kind, text.encode(), created_by="importer@example.com", file_name="t.csv", **options
        )
    assert job["status"] == "done", job
    report: dict[str, Any] = job["report"]
    return report


def _errors(report: dict[str, Any]) -> dict[int, tuple[str | None, str]]:
    return {e["row"]: (e["column"], e["reason"]) for e in report["errors"]}


async def _fetch(stack: StackInfo, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(stack.database_url("contracts"))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


def _product(stack: StackInfo, staff: httpx.Client) -> str:
    """A new SKU, once the contracts service has its copy of it."""
    sku = unique("IMP")
    ok(
        staff.post(
            "/api/v1/products", json={"sku": sku, "name": sku, "annual_price": "1200.00", "currency": "SEK"}
        )
    )
    sql = "SELECT 1 FROM products WHERE sku = $1"
    eventually(lambda: asyncio.run(_fetch(stack, sql, sku)) or None, what=f"{sku} to reach contracts")
    return sku


def _customers(stack: StackInfo, *refs: str) -> None:
    rows = "".join(f"{r},Kund {r},billing@{r.lower()}.example,SE,SEK,,25.00,no,Malmö\n" for r in refs)
    assert _import(stack, "customers", CUSTOMERS + rows)["inserted"] == len(refs)


def test_a_customers_import_upserts_by_reference_and_the_same_file_again_changes_nothing(
    stack: StackInfo,
) -> None:
    se, de = unique("SE"), unique("DE")
    text = CUSTOMERS + (
        f"{se},Svensk Kund AB,ekonomi@svensk.example,se,sek,SE5566778899,25,no,Lund\n"
        f"{de},Deutsche Kunde GmbH,rechnung@kunde.example,DE,EUR,DE812345678,0,yes,Köln\n"
    )

    first, again = _import(stack, "customers", text), _import(stack, "customers", text)
    moved = _import(stack, "customers", text.replace("Lund", "Ystad"))

    assert (first["inserted"], first["committed"]) == (2, True)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert (moved["updated"], moved["unchanged"]) == (1, 1)
    rows = asyncio.run(_fetch(stack, "SELECT * FROM customers WHERE external_ref = ANY($1)", [se, de]))
    by_ref = {r["external_ref"]: r for r in rows}
    assert (by_ref[se]["city"], by_ref[se]["version"], by_ref[se]["country"]) == ("Ystad", 2, "SE")
    assert (by_ref[de]["reverse_charge"], by_ref[de]["currency"], by_ref[de]["version"]) == (True, "EUR", 1)


def test_reverse_charge_without_a_vat_number_is_refused_with_its_row(stack: StackInfo) -> None:
    ref = unique("RC")
    report = _import(stack, "customers", CUSTOMERS + f"{ref},No VAT no,x@novat.example,DE,EUR,,0,yes,Bonn\n")

    assert report["committed"] is False
    assert 2 in _errors(report) and "VAT number" in _errors(report)[2][1]


def test_an_items_import_names_the_rows_of_an_unknown_sku_a_serial_twice_and_another_customers_serial(
    stack: StackInfo, staff: httpx.Client
) -> None:
    sku, mine, theirs, maker = _product(stack, staff), unique("C"), unique("C"), unique("HPE")
    _customers(stack, mine, theirs)
    _import(stack, "items", ITEMS + f"{theirs},{maker},DL380,TAKEN,{sku},,\n")
    text = ITEMS + (
        f"{mine},{maker},DL380,SN-1,{sku},Lager 1,2024-02-01\n"  # row 2: fine
        f"{mine},{maker},DL380,SN-2,NO-SUCH-SKU,,\n"  # row 3
        f"{mine},{maker},DL380,SN-1,{sku},,\n"  # row 4: the serial of row 2 again
        f"{mine},{maker},DL380,TAKEN,{sku},,\n"  # row 5: another customer's machine
    )

    strict = _import(stack, "items", text)
    lenient = _import(stack, "items", text, mode="valid_rows")

    errors = _errors(strict)
    assert strict["committed"] is False and sorted(errors) == [3, 4, 5]
    assert errors[3] == ("sku", "no product has the SKU NO-SUCH-SKU in the catalog")
    assert errors[4][0] == "serial_no" and "also in row 2" in errors[4][1]
    assert errors[5][0] == "serial_no" and f"registered to customer Kund {theirs} ({theirs})" in errors[5][1]
    assert (lenient["committed"], lenient["inserted"], lenient["rows_invalid"]) == (True, 1, 3)
    sql = "SELECT i.serial_no, s.name FROM covered_items i JOIN sites s USING (site_id) "
    sql += "WHERE i.manufacturer_no = $1"
    assert [tuple(r) for r in asyncio.run(_fetch(stack, sql, maker))] == [("SN-1", "Lager 1")]


def test_imported_contracts_go_through_the_api_path_and_the_same_file_again_changes_nothing(
    stack: StackInfo, staff: httpx.Client
) -> None:
    sku, ref, maker = _product(stack, staff), unique("C"), unique("DELL")
    _customers(stack, ref)
    k1, k2 = unique("K"), unique("K")
    text = CONTRACTS + (
        f"{k1},{ref},2026-01-01,2026-12-31,{sku},{maker},R740,A1,\n"
        f"{k1},{ref},2026-01-01,2026-12-31,{sku},{maker},R740,A2,900.00\n"
        f"{k2},{ref},2026-01-01,2026-12-31,{sku},{maker},R750,A3,\n"
    )

    first, again = _import(stack, "contracts", text), _import(stack, "contracts", text)

    assert (first["inserted"], first["committed"]) == (2, True)
    assert (again["inserted"], again["unchanged"], again["committed"]) == (0, 2, True)
    sql = "SELECT contract_id, external_ref FROM contracts WHERE external_ref = ANY($1) ORDER BY external_ref"
    made = {r["external_ref"]: r["contract_id"] for r in asyncio.run(_fetch(stack, sql, [k1, k2]))}
    assert set(made) == {k1, k2}
    with stack.internal("contracts") as contracts:
        c1 = ok(contracts.get(f"/contracts/{made[k1]}"))
        history = ok(contracts.get(f"/contracts/{made[k1]}/history"))
    assert sorted(ln["annual_price"] for ln in c1["lines"]) == ["1200.00", "900.00"]
    assert [(h["action"], h["version"]) for h in history] == [("created", 1)]
    assert history[0]["actor"] == "importer@example.com (import t.csv)"
    created = [
        json.loads(r.value)
        for r in asyncio.run(read_all(stack.kafka_bootstrap_servers, topics.CONTRACT_CREATED))
        if r.key and r.key.decode() in {str(made[k1]), str(made[k2])}
    ]
    assert sorted(e["data"]["contract_no"] for e in created) == sorted(
        [c1["contract_no"], _no(stack, made[k2])]
    )


def _no(stack: StackInfo, contract_id: object) -> str:
    with stack.internal("contracts") as contracts:
        return str(ok(contracts.get(f"/contracts/{contract_id}"))["contract_no"])


def test_a_contracts_import_names_an_unknown_sku_a_duplicate_serial_and_an_item_covered_by_another_contract(
    stack: StackInfo, staff: httpx.Client
) -> None:
    sku, ref, maker = _product(stack, staff), unique("C"), unique("LEN")
    _customers(stack, ref)
    first = unique("K")
    _import(stack, "contracts", CONTRACTS + f"{first},{ref},2026-01-01,2026-12-31,{sku},{maker},SR650,S1,\n")
    existing = _no(
        stack,
        asyncio.run(_fetch(stack, "SELECT contract_id FROM contracts WHERE external_ref = $1", first))[0][0],
    )
    x, y, z, w, v = (unique(k) for k in "XYZWV")
    text = CONTRACTS + (
        f"{x},{ref},2027-01-01,2027-12-31,{sku},{maker},SR650,S2,\n"  # row 2: left out with row 3
        f"{x},{ref},2027-01-01,2027-12-31,NO-SUCH-SKU,{maker},SR650,S3,\n"  # row 3: unknown SKU
        f"{y},{ref},2026-06-01,2026-12-31,{sku},{maker},SR650,S1,\n"  # row 4: S1 is covered until 2026-12-31
        f"{z},{ref},2028-01-01,2028-12-31,{sku},{maker},SR650,S5,\n"  # row 5: left out with row 6
        f"{z},{ref},2028-01-01,2028-12-31,{sku},{maker},SR650,S5,\n"  # row 6: the same serial twice
        f"{w},{ref},2027-01-01,2027-12-31,{sku},{maker},SR650,S1,\n"  # row 7: the day after S1's cover ends
        f"{v},{ref},2027-01-01,2027-12-31,{sku},{maker},SR650,S7,\n"  # row 8: left out with row 9
        f"{v},{ref},2027-01-01,2027-13-31,{sku},{maker},SR650,S8,\n"  # row 9: no such date
    )

    strict = _import(stack, "contracts", text)
    lenient = _import(stack, "contracts", text, mode="valid_rows")

    errors = _errors(strict)
    assert strict["committed"] is False and sorted(errors) == [2, 3, 4, 5, 6, 8, 9]
    assert errors[3] == ("sku", "no product has the SKU NO-SUCH-SKU in the catalog")
    assert errors[2][1] == f"contract {x} is left out: its row 3 has an error"
    assert errors[4][0] == "serial_no"
    assert f"already covered by contract {existing} ({first}) from 2026-01-01 to 2026-12-31" in errors[4][1]
    assert (
        "also in row 5" in errors[6][1]
        and errors[5][1] == f"contract {z} is left out: its row 6 has an error"
    )
    assert errors[8][1] == f"contract {v} is left out: its row 9 has an error" and errors[9][0] == "end_date"
    assert (lenient["committed"], lenient["inserted"]) == (True, 1)
    sql = "SELECT external_ref FROM contracts WHERE external_ref = ANY($1)"
    assert [r[0] for r in asyncio.run(_fetch(stack, sql, [x, y, z, w, v]))] == [w]
