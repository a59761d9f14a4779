"""Dashboard helpers for the end-to-end tests: a customer of one's own with an open invoice, so the
dashboard can be narrowed to figures no other test moves."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from avtal_testing.api import eventually, ok, unique


def customer_with_contract(staff: httpx.Client, name: str, start: date, end: date) -> dict[str, Any]:
    """A customer called `name` with one contract of ARR 1200.00 SEK (billed yearly) from `start` to `end`."""
    sku = unique("SKU")
    body = {"sku": sku, "name": f"Care {sku}", "annual_price": "1200.00", "currency": "SEK"}
    product = ok(staff.post("/api/v1/products", json=body))
    customer = ok(staff.post("/api/v1/customers", json={"name": name, "email": f"{unique('d')}@example.com"}))
    item = {"manufacturer_no": unique("MFR"), "model": "ProLiant DL380", "serial_no": unique("SN")}
    body = {"customer_id": customer["customer_id"], "start_date": str(start), "end_date": str(end),
            "billing_interval_months": 12, "lines": [{"sku": sku, **item}]}  # fmt: skip
    contract = eventually(
        lambda: (r := staff.post("/api/v1/contracts", json=body)).status_code != 404 and ok(r),
        what="the product to reach contracts",
    )
    return {"product": product, "customer": customer, "contract": contract}


def billed_invoice(staff: httpx.Client, contract_id: str, as_of: date) -> dict[str, Any]:
    """The contract's first invoice, from a billing run up to `as_of`."""
    eventually(
        lambda: staff.get(f"/api/v1/contracts/{contract_id}/schedule").status_code == 200,
        what="billing to know the contract",
    )
    ok(staff.post("/api/v1/billing-runs", json={"as_of": str(as_of), "run_key": unique("dash-run")}))
    found: dict[str, Any] = eventually(
        lambda: ok(staff.get("/api/v1/invoices", params={"contract_id": contract_id}))["items"],
        what="the contract's invoice",
    )[0]
    return found


def figures(staff: httpx.Client, **params: Any) -> dict[str, Any]:
    found: dict[str, Any] = ok(staff.get("/api/v1/dashboard", params=params))
    return found
