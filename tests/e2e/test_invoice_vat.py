"""VAT on the real stack: per product rate on each line, sums per rate, reverse charge for an EU business,
and an OCR reference that passes its check digit (catalog → contracts → billing → the public API)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from avtal_billing.domain.references import is_valid_ocr
from avtal_testing.api import eventually, ok, unique


def _product(staff: httpx.Client, vat_rate: str | None) -> str:
    sku = unique("VAT")
    body: dict[str, Any] = {"sku": sku, "name": f"Care {sku}", "annual_price": "1000.00", "currency": "SEK"}
    if vat_rate is not None:
        body["vat_rate"] = vat_rate
    ok(staff.post("/api/v1/products", json=body))
    return sku


def _opened(r: httpx.Response) -> Any:
    return None if r.status_code == 404 else ok(r)  # 404 until contracts knows the new products


def _invoice(staff: httpx.Client, customer: dict[str, Any], skus: list[str]) -> dict[str, Any]:
    """A yearly contract from 2026-01-01 with one item per product, billed by a run; its invoice."""
    lines = [{"sku": s, "manufacturer_no": "HPE", "model": "DL380", "serial_no": unique("SN")} for s in skus]
    body = {
        "customer_id": customer["customer_id"],
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "billing_interval_months": 12,
        "lines": lines,
    }
    contract = eventually(lambda: _opened(staff.post("/api/v1/contracts", json=body)), what="the products")
    cid = contract["contract_id"]
    eventually(
        lambda: staff.get(f"/api/v1/contracts/{cid}/schedule").status_code == 200 or None,
        what="billing to schedule the contract",
    )
    ok(staff.post("/api/v1/billing-runs", json={"as_of": "2026-01-15", "run_key": unique("vat")}))
    [listed] = ok(staff.get("/api/v1/invoices", params={"contract_id": cid}))["items"]
    return ok(staff.get(f"/api/v1/invoices/{listed['invoice_id']}"))  # type: ignore[no-any-return]


def test_lines_at_25_12_6_and_0_percent_sum_per_rate_and_the_ocr_reference_checks(
    staff: httpx.Client,
) -> None:
    skus = [_product(staff, rate) for rate in ("25", "12", "6", "0")]
    customer = ok(
        staff.post("/api/v1/customers", json={"name": unique("Moms AB"), "email": "ap@moms.example"})
    )

    inv = _invoice(staff, customer, skus)

    by_rate = {Decimal(ln["vat_rate"]): (Decimal(ln["amount"]), Decimal(ln["vat"])) for ln in inv["lines"]}
    assert by_rate == {
        Decimal(25): (Decimal("1000.00"), Decimal("250.00")),
        Decimal(12): (Decimal("1000.00"), Decimal("120.00")),
        Decimal(6): (Decimal("1000.00"), Decimal("60.00")),
        Decimal(0): (Decimal("1000.00"), Decimal("0.00")),
    }
    assert (inv["net"], inv["vat"], inv["total"]) == ("4000.00", "430.00", "4430.00")
    assert not inv["reverse_charge"]
    assert is_valid_ocr(inv["ocr"]), inv["ocr"]
    assert not is_valid_ocr(inv["ocr"][:-1] + str((int(inv["ocr"][-1]) + 1) % 10)), "a typo fails the check"


def test_a_product_without_a_rate_takes_the_customers_and_an_eu_business_gets_reverse_charge(
    staff: httpx.Client,
) -> None:
    skus = [_product(staff, None), _product(staff, "12")]
    eu = {
        "name": unique("Wartung GmbH"),
        "email": "rechnung@wartung.example",
        "country": "DE",
        "tax_id": "DE123456789",
        "reverse_charge": True,
    }
    own_rate = {"name": unique("Låg Moms AB"), "email": "ap@lag.example", "vat_rate": "6"}

    reverse = _invoice(staff, ok(staff.post("/api/v1/customers", json=eu)), skus)
    low = _invoice(staff, ok(staff.post("/api/v1/customers", json=own_rate)), skus)

    assert reverse["reverse_charge"] and (reverse["vat"], reverse["total"]) == ("0.00", "2000.00")
    assert [Decimal(ln["vat_rate"]) for ln in reverse["lines"]] == [0, 0]
    assert sorted(Decimal(ln["vat_rate"]) for ln in low["lines"]) == [Decimal(6), Decimal(12)]
    assert (low["vat"], low["total"]) == ("180.00", "2180.00")
