"""The first real flow through every process: product → contract → invoice + PDF → e-mail → revenue."""

from __future__ import annotations

import email
import io
import mailbox
from datetime import date

import httpx
from pypdf import PdfReader

from avtal_testing.api import eventually, make_customer_with_contract, ok, signed_in, unique
from avtal_testing.stack import StackInfo


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _schedule(staff: httpx.Client, contract_id: str) -> list[dict] | None:
    r = staff.get(f"/api/v1/contracts/{contract_id}/schedule")
    return r.json() if r.status_code == 200 else None


def _mail_to(maildir: str, recipient: str) -> list[email.message.Message]:
    box = mailbox.Maildir(maildir, create=False)
    return [m for m in box if recipient in (m.get("To") or "")]


def test_a_new_contract_is_invoiced_mailed_reported_and_shown_in_the_portal(
    stack: StackInfo, staff: httpx.Client
) -> None:
    made = make_customer_with_contract(
        staff, price="1200.00", start="2026-01-01", end="2026-12-31", interval=3
    )
    contract, customer, item = made["contract"], made["customer"], made["item"]
    assert contract["lines"][0]["item"]["serial_no"] == item["serial_no"]

    schedule = eventually(
        lambda: _schedule(staff, contract["contract_id"]), what="billing to build the schedule"
    )
    assert [p["amount"] for p in schedule] == ["300.00"] * 4

    run = ok(staff.post("/api/v1/billing-runs", json={"as_of": "2026-01-15", "run_key": unique("run")}))
    assert run["invoices_created"] >= 1
    invoices = eventually(
        lambda: [
            i
            for i in ok(staff.get("/api/v1/invoices", params={"contract_id": contract["contract_id"]}))[
                "items"
            ]
            if i["pdf_ready"]
        ],
        what="the invoice PDF",
    )
    assert len(invoices) == 1
    inv = invoices[0]
    # 300.00 net for the quarter and 25% VAT (the customer's default rate).
    assert inv["total"] == "375.00" and inv["period_start"] == "2026-01-01"
    assert inv["period_end"] == "2026-03-31" and inv["invoice_no"].startswith("INV-2026-")

    # The customer signs in to the portal and downloads the PDF.
    user_email = f"{unique('portal')}@example.com"
    ok(
        staff.post(
            "/api/v1/users",
            json={
                "email": user_email,
                "password": "correct horse battery",
                "role": "customer",
                "customer_id": customer["customer_id"],
            },
        )
    )
    with signed_in(stack.portal_url, user_email, "correct horse battery") as me:
        page = me.get("/")
        assert page.status_code == 200
        assert contract["contract_no"] in page.text and inv["invoice_no"] in page.text
        assert f"/invoices/{inv['invoice_id']}/pdf" in page.text
        pdf = me.get(f"/invoices/{inv['invoice_id']}/pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    for expected in (
        inv["invoice_no"],
        "375.00",
        item["serial_no"],
        contract["contract_no"],
        customer["name"],
    ):
        assert expected in text, f"{expected!r} missing from the PDF text"

    # The notifier mailed the same PDF to the customer.
    mails = eventually(lambda: _mail_to(str(stack.maildir), customer["email"]), what="the invoice e-mail")
    assert len(mails) == 1
    msg = mails[0]
    assert inv["invoice_no"] in msg["Subject"]
    attachments = [p for p in msg.walk() if p.get_content_type() == "application/pdf"]
    assert len(attachments) == 1 and attachments[0].get_payload(decode=True) == pdf.content

    # Reporting counted the amount once, without VAT.
    reporting = stack.services["reporting"]
    counted = eventually(
        lambda: httpx.get(
            f"{reporting}/revenue/invoices", params={"ids": inv["invoice_id"]}, headers=stack.internal_headers
        ).json(),
        what="reporting to count the invoice",
    )
    assert counted == [{"invoice_id": inv["invoice_id"], "total": "300.00"}]
    months = ok(staff.get("/api/v1/revenue/monthly"))
    jan = [m for m in months if m["month"] == str(date(2026, 1, 1))]
    assert jan and float(jan[0]["invoiced"]) >= 300.0


def test_a_customer_user_gets_404_for_another_customers_contract_and_invoice(
    stack: StackInfo, staff: httpx.Client
) -> None:
    mine = make_customer_with_contract(staff)
    theirs = make_customer_with_contract(staff)
    eventually(
        lambda: (
            staff.get(f"/api/v1/contracts/{theirs['contract']['contract_id']}/schedule").status_code == 200
        ),
        what="billing to know the contract",
    )
    ok(staff.post("/api/v1/billing-runs", json={"as_of": "2026-01-01", "run_key": unique("run")}))
    their_invoice = eventually(
        lambda: ok(staff.get("/api/v1/invoices", params={"contract_id": theirs["contract"]["contract_id"]}))[
            "items"
        ],
        what="their invoice",
    )[0]
    user_email = f"{unique('portal')}@example.com"
    ok(
        staff.post(
            "/api/v1/users",
            json={
                "email": user_email,
                "password": "correct horse battery",
                "role": "customer",
                "customer_id": mine["customer"]["customer_id"],
            },
        )
    )
    with signed_in(stack.portal_url, user_email, "correct horse battery") as me:
        their_contract = theirs["contract"]["contract_id"]
        assert me.get(f"/api/v1/contracts/{their_contract}").status_code == 404
        assert me.get(f"/api/v1/invoices/{their_invoice['invoice_id']}").status_code == 404
        assert me.get(f"/api/v1/invoices/{their_invoice['invoice_id']}/pdf").status_code == 404
        assert me.get(f"/invoices/{their_invoice['invoice_id']}/pdf").status_code == 404
        assert me.get(f"/contracts/{their_contract}").status_code == 404
        listed = ok(me.get("/api/v1/contracts", params={"customer_id": theirs["customer"]["customer_id"]}))
        assert [c["contract_id"] for c in listed["items"]] == [mine["contract"]["contract_id"]]
        assert listed["total"] == 1
        assert ok(me.get(f"/api/v1/contracts/{mine['contract']['contract_id']}"))["contract_no"]
        assert me.post("/api/v1/billing-runs", json={}).status_code == 403


def test_pages_and_api_need_a_signed_in_user(stack: StackInfo) -> None:
    anonymous = httpx.Client(base_url=stack.portal_url, follow_redirects=False)
    assert anonymous.get("/").status_code in (302, 303, 307)
    assert anonymous.get("/").headers["location"].endswith("/login")
    r = anonymous.get("/api/v1/contracts")
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    bad = anonymous.post("/api/v1/login", json={"email": stack.staff_email, "password": "wrong password"})
    assert bad.status_code == 401
    assert anonymous.get("/schema/openapi.json").json()["paths"]["/api/v1/contracts"]


def test_api_errors_say_what_to_fix(stack: StackInfo, staff: httpx.Client) -> None:
    bad = staff.post(
        "/api/v1/contracts",
        json={"customer_id": "not-a-uuid", "start_date": "2026-01-01", "end_date": "2026-12-31", "lines": []},
    )
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    assert {"customer_id", "lines"} <= {e["key"] for e in bad.json()["extra"]}

    made = make_customer_with_contract(staff)
    line = {"sku": made["product"]["sku"], "manufacturer_no": "M", "model": "X", "serial_no": unique("S")}
    refused = staff.post(
        "/api/v1/contracts",
        json={
            "customer_id": made["customer"]["customer_id"],
            "start_date": "2026-05-01",
            "end_date": "2026-04-30",
            "lines": [line],
        },
    )
    assert refused.status_code == 400  # refused by the shared command model, before any service
    assert "end_date 2026-04-30 (the last covered day) must not be before" in refused.json()["detail"]
    unknown = staff.post(
        "/api/v1/contracts",
        json={
            "customer_id": made["customer"]["customer_id"],
            "start_date": "2026-05-01",
            "end_date": "2026-12-31",
            "lines": [line | {"sku": "NO-SUCH-SKU"}],
        },
    )
    assert unknown.status_code == 404 and "NO-SUCH-SKU" in unknown.json()["detail"]
