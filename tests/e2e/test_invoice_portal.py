"""Invoice screens on the portal: the list and one invoice with its service period, serials, VAT summary
and PDF for staff and its own customer; staff render a PDF again (its stored checksum is the served PDF's);
a credit note is listed apart and names the invoice it credits."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import httpx

from avtal_testing.api import eventually, make_customer_with_contract, ok, signed_in, unique
from avtal_testing.contract_ops import op
from avtal_testing.stack import StackInfo

PASSWORD = "correct horse battery"


def _billed(staff: httpx.Client, start: date, years: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """A yearly contract from `start`, billed by a run, and its invoice once its PDF is ready."""
    end = start.replace(year=start.year + years) - timedelta(days=1)
    made = make_customer_with_contract(staff, start=str(start), end=str(end), interval=12)
    cid = made["contract"]["contract_id"]
    eventually(
        lambda: staff.get(f"/api/v1/contracts/{cid}/schedule").status_code == 200 or None, what="billing"
    )
    ok(staff.post("/api/v1/billing-runs", json={"as_of": str(start), "run_key": unique("portal")}))
    invoice = eventually(
        lambda: next((i for i in ok(staff.get("/api/v1/invoices", params={"contract_id": cid}))["items"]
                      if i["pdf_ready"]), None),
        what="the invoice's PDF",
    )  # fmt: skip
    return made, invoice


def _form(client: httpx.Client, url: str) -> httpx.Response:
    """A browser form post: the CSRF token as the hidden field."""
    token = client.cookies["avtal_csrf"]
    return client.post(url, data={"_csrf_token": token}, headers={"X-CSRF-Token": ""}, follow_redirects=True)


def test_staff_and_the_customer_see_the_invoice_with_periods_serials_vat_and_pdf(
    stack: StackInfo, staff: httpx.Client
) -> None:
    made, inv = _billed(staff, date(2026, 1, 1))
    iid, serial = inv["invoice_id"], made["item"]["serial_no"]
    email = f"{unique('inv')}@example.com"
    user = {"email": email, "password": PASSWORD, "role": "customer", "customer_id": inv["customer_id"]}
    ok(staff.post("/api/v1/users", json=user))

    mine = {"customer_id": inv["customer_id"]}
    listed, credits = (
        staff.get("/invoices", params=mine),
        staff.get("/invoices", params={**mine, "kind": "credit_note"}),
    )
    page = staff.get(f"/invoices/{iid}")
    with signed_in(stack.portal_url, email, PASSWORD) as me:
        own_list, own_page = me.get("/invoices"), me.get(f"/invoices/{iid}")
        own_pdf = me.get(f"/invoices/{iid}/pdf")
        refused = _form(me, f"/invoices/{iid}/pdf/render").status_code

    assert listed.status_code == 200 and inv["invoice_no"] in listed.text
    assert inv["invoice_no"] not in credits.text
    for expected in (inv["invoice_no"], "2026-01-01 – 2026-12-31", serial, "VAT summary", "25 %",
                     "1200.00", "300.00", "1500.00 SEK", inv["ocr"], f"/invoices/{iid}/pdf",
                     "Render PDF again"):  # fmt: skip
        assert expected in page.text, f"{expected!r} missing from the staff page"
    assert inv["invoice_no"] in own_list.text and serial in own_page.text
    assert "Render PDF again" not in own_page.text
    assert own_pdf.status_code == 200 and own_pdf.content.startswith(b"%PDF")
    assert refused == 403


def test_render_again_stores_the_checksum_of_the_pdf_served_afterwards(
    stack: StackInfo, staff: httpx.Client
) -> None:
    _, inv = _billed(staff, date(2026, 2, 1))
    iid = inv["invoice_id"]
    with stack.internal("billing") as billing:
        before = ok(billing.get(f"/invoices/{iid}"))["pdf_sha256"]

        page = _form(staff, f"/invoices/{iid}/pdf/render")
        after = ok(billing.get(f"/invoices/{iid}"))

    served = staff.get(f"/invoices/{iid}/pdf").content
    assert page.status_code == 200 and "rendered again" in page.text
    assert before and after["pdf_sha256"] == hashlib.sha256(served).hexdigest()
    assert after["invoice_no"] == inv["invoice_no"] and after["total"] == inv["total"]


def test_a_credit_note_is_listed_apart_and_names_the_invoice_it_credits(staff: httpx.Client) -> None:
    start = date.today() - timedelta(days=100)
    made, inv = _billed(staff, start, years=2)
    cid = made["contract"]["contract_id"]

    c = ok(staff.get(f"/api/v1/contracts/{cid}"))
    ok(op(staff, c, "terminate", {"effective_date": str(date.today() + timedelta(days=1)), "reason": "sold"}))
    credit = eventually(
        lambda: next((i for i in ok(staff.get("/api/v1/invoices", params={"contract_id": cid}))["items"]
                      if i["kind"] == "credit_note"), None),
        what="the credit note",
    )  # fmt: skip
    mine = {"customer_id": inv["customer_id"]}
    credits = staff.get("/invoices", params={**mine, "kind": "credit_note"})
    invoices = staff.get("/invoices", params={**mine, "kind": "invoice"})
    page = staff.get(f"/invoices/{credit['invoice_id']}")

    assert credit["credits_invoice_no"] == inv["invoice_no"]
    assert credit["invoice_no"] in credits.text and credit["invoice_no"] not in invoices.text
    assert (
        "Credit note" in page.text
        and f'href="/invoices/{inv["invoice_id"]}">{inv["invoice_no"]}' in page.text
    )
