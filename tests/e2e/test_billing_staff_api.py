"""Staff billing through the public API: a run's PDFs as one ZIP, an invoice's PDF rendered again on
demand (new checksum, same invoice, nothing re-sent), and the runs list with totals per currency."""

from __future__ import annotations

import io
import zipfile

import httpx

from avtal_testing.api import eventually, make_customer_with_contract, ok, unique


def test_a_runs_pdfs_download_as_one_zip_and_a_pdf_can_be_rendered_again(staff: httpx.Client) -> None:
    made = make_customer_with_contract(staff, start="2026-01-01", end="2026-12-31", interval=12)
    cid = made["contract"]["contract_id"]
    eventually(
        lambda: staff.get(f"/api/v1/contracts/{cid}/schedule").status_code == 200 or None, what="billing"
    )
    key = unique("zip")
    run = ok(staff.post("/api/v1/billing-runs", json={"as_of": "2026-01-15", "run_key": key}))
    [inv] = eventually(
        lambda: (
            [
                i
                for i in ok(staff.get("/api/v1/invoices", params={"contract_id": cid}))["items"]
                if i["pdf_ready"]
            ]
            or None
        ),
        what="the PDF",
    )

    zipped = staff.get(f"/api/v1/billing-runs/{key}/pdfs.zip")
    again = ok(staff.post(f"/api/v1/invoices/{inv['invoice_id']}/pdf/render"))
    runs = ok(staff.get("/api/v1/billing-runs", params={"limit": 100}))["items"]

    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()
    assert f"{inv['invoice_no']}.pdf" in names
    assert (again["invoice_no"], again["total"], again["pdf_ready"]) == (
        inv["invoice_no"],
        inv["total"],
        True,
    )
    listed = next(r for r in runs if r["run_key"] == key)
    assert listed["run_id"] == run["run_id"] and listed["finished"]
    [sek] = ok(staff.get(f"/api/v1/billing-runs/{key}"))["totals"]
    assert sek["currency"] == "SEK" and sek["invoices"] >= 1
