"""An invoice issued before a scheduled price change takes effect carries a notice of it: old price, new
price and the date (from the contract's dated lines), printed in the PDF too."""

from __future__ import annotations

import io

import httpx
from pypdf import PdfReader

from avtal_testing.api import eventually, ok, unique
from avtal_testing.contract_ops import EFFECTIVE, START, contract_now, op, reload


def _first_year(staff: httpx.Client, cid: str) -> str | None:
    r = staff.get(f"/api/v1/contracts/{cid}/schedule")
    return r.json()[0]["amount"] if r.status_code == 200 and r.json() else None


def _pdf_ready(staff: httpx.Client, invoice_id: str) -> dict | None:
    found = ok(staff.get(f"/api/v1/invoices/{invoice_id}"))
    return found if found["pdf_ready"] else None


def test_an_invoice_before_a_scheduled_price_change_announces_it(staff: httpx.Client) -> None:
    c = contract_now(staff, price="1200.00")["contract"]
    cid = c["contract_id"]
    ok(op(staff, c, "change-prices", {"effective_date": str(EFFECTIVE), "percent": "25"}))
    assert reload(staff, cid)["version"] == 2
    # The state with the change has reached billing once the first year is no longer 1200.00 flat.
    eventually(
        lambda: _first_year(staff, cid) not in (None, "1200.00") or None, what="the new state in billing"
    )
    ok(staff.post("/api/v1/billing-runs", json={"as_of": str(START), "run_key": unique("notice")}))

    [listed] = ok(staff.get("/api/v1/invoices", params={"contract_id": cid}))["items"]
    inv = eventually(lambda: _pdf_ready(staff, listed["invoice_id"]), what="the PDF")
    [notice] = inv["notices"]
    assert (notice["date"], notice["old"], notice["new"]) == (str(EFFECTIVE), "1200.00", "1500.00")
    pdf = staff.get(f"/api/v1/invoices/{inv['invoice_id']}/pdf").content
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Announced price change" in text and str(EFFECTIVE) in text
