"""The notifier on the real stack (PostgreSQL, broker, SMTP sink): one mail per event and recipient when
the event comes twice, a permanent failure on the staff page, and invoices mailed in Swedish and English
with both parts and the PDF billing stored."""

from __future__ import annotations

import asyncio
import hashlib
import mailbox
import uuid
from email.message import Message
from typing import Any

import httpx
import pytest

from avtal_common import topics
from avtal_testing.api import eventually, ok, unique
from avtal_testing.kafka import envelope_json, publish, read_all
from avtal_testing.stack import StackInfo


def _mail_to(stack: StackInfo, recipient: str) -> list[Message]:
    box = mailbox.Maildir(str(stack.maildir), create=False)
    return [m for m in box if (m.get("To") or "") == recipient]


def _overdue(email: str, step: int, invoice_id: str, locale: str = "en") -> dict[str, Any]:
    return {
        "invoice_id": invoice_id, "invoice_no": unique("INV"), "customer_id": str(uuid.uuid4()),
        "customer_name": "Tröskel & Söner AB", "customer_email": email, "locale": locale, "currency": "SEK",
        "total": "1250.00", "balance": "1250.00", "due_date": "2026-10-01", "days_overdue": 7 * step,
        "step": step, "step_name": f"step {step}",
    }  # fmt: skip


def _publish(stack: StackInfo, topic: str, key: str, body: bytes) -> None:
    asyncio.run(publish(stack.kafka_bootstrap_servers, topic, body, key=key.encode()))


def _emails(stack: StackInfo, **params: Any) -> list[dict[str, Any]]:
    with stack.internal("notifier") as notifier:
        return list(ok(notifier.get("/emails/", params=params | {"limit": 1000}))["items"])


def test_the_same_event_delivered_twice_sends_one_mail(stack: StackInfo) -> None:
    recipient = f"{unique('twice')}@example.com"
    invoice_id = str(uuid.uuid4())
    event_id = uuid.uuid4()
    first = envelope_json(topics.INVOICE_OVERDUE, invoice_id, _overdue(recipient, 1, invoice_id), event_id)

    _publish(stack, topics.INVOICE_OVERDUE, invoice_id, first)
    _publish(stack, topics.INVOICE_OVERDUE, invoice_id, first)  # the same envelope, byte for byte
    # Same key, so the same partition: once the next step's mail is there, both copies were consumed.
    marker = envelope_json(topics.INVOICE_OVERDUE, invoice_id, _overdue(recipient, 2, invoice_id))
    _publish(stack, topics.INVOICE_OVERDUE, invoice_id, marker)

    mails = eventually(lambda: (m := _mail_to(stack, recipient)) and len(m) >= 2 and m, what="both mails")
    subjects = sorted(m["Subject"] for m in mails)
    assert len(mails) == 2, subjects
    assert subjects[0].startswith("Payment reminder") and subjects[1].startswith("Second reminder")
    rows = [e for e in _emails(stack) if e["recipient"] == recipient]
    assert sorted(e["status"] for e in rows) == ["sent", "sent"]


def test_a_permanent_failure_is_failed_at_once_and_shown_on_the_staff_page(
    stack: StackInfo, staff: httpx.Client
) -> None:
    recipient = f"{unique('gone')}@refused.example"  # the sink answers 550 for this domain
    invoice_id = str(uuid.uuid4())
    body = _overdue(recipient, 1, invoice_id)
    _publish(
        stack, topics.INVOICE_OVERDUE, invoice_id, envelope_json(topics.INVOICE_OVERDUE, invoice_id, body)
    )

    failed = eventually(
        lambda: [e for e in _emails(stack, status="failed") if e["recipient"] == recipient] or None,
        what="the failed e-mail",
    )
    assert failed[0]["attempts"] == 1  # not retried: a 550 will not change
    assert "550" in failed[0]["last_error"]

    page = staff.get("/notifications", params={"status": "failed", "customer_id": body["customer_id"]})
    assert page.status_code == 200
    assert recipient in page.text and "550" in page.text and ">failed<" in page.text
    listed = ok(staff.get("/api/v1/emails", params={"status": "failed", "customer_id": body["customer_id"]}))
    assert [(e["recipient"], e["status"]) for e in listed["items"]] == [(recipient, "failed")]
    facts = asyncio.run(read_all(stack.kafka_bootstrap_servers, topics.NOTIFICATION_FAILED))
    assert any(recipient.encode() in r.value and b'"permanent":true' in r.value for r in facts)
    assert _mail_to(stack, recipient) == []


def _customer_with_invoice(staff: httpx.Client, locale: str) -> tuple[dict[str, Any], dict[str, Any]]:
    sku = unique("SKU")
    ok(staff.post("/api/v1/products", json={"sku": sku, "name": f"Care {sku}", "annual_price": "4800.00",
                                            "currency": "SEK"}))  # fmt: skip
    who = {"name": unique("Kund"), "locale": locale, "email": f"{unique(locale)}@example.com"}
    customer = ok(staff.post("/api/v1/customers", json=who))
    item = {"manufacturer_no": unique("MFR"), "model": "ProLiant DL380", "serial_no": unique("SN")}
    body = {"customer_id": customer["customer_id"], "start_date": "2026-01-01", "end_date": "2026-12-31",
            "billing_interval_months": 3, "lines": [{"sku": sku, **item}]}  # fmt: skip

    def created() -> Any:
        r = staff.post("/api/v1/contracts", json=body)
        return None if r.status_code == 404 else ok(r)

    contract = eventually(created, what="the product to reach contracts")
    eventually(lambda: staff.get(f"/api/v1/contracts/{contract['contract_id']}/schedule").status_code == 200,
               what="billing to know the contract")  # fmt: skip
    ok(staff.post("/api/v1/billing-runs", json={"as_of": "2026-01-15", "run_key": unique("run")}))

    def invoiced() -> Any:
        found = ok(staff.get("/api/v1/invoices", params={"contract_id": contract["contract_id"]}))["items"]
        return [i for i in found if i["pdf_ready"]] or None

    return customer, eventually(invoiced, what="the invoice PDF")[0]


@pytest.mark.parametrize(
    ("locale", "subject", "text_bits", "html_bits"),
    [
        ("sv", "Faktura {no}", ["Att betala: 1\xa0500,00 SEK", "Förfallodag:", "januari 2026"],
         ["<th align=\"left\">Att betala</th><td>1\xa0500,00 SEK</td>", "lang=\"sv\""]),
        ("en", "Invoice {no}", ["Amount due: 1,500.00 SEK", "January 1, 2026"],
         ["<th align=\"left\">Amount due</th><td>1,500.00 SEK</td>", "lang=\"en\""]),
    ],
)  # fmt: skip
def test_the_invoice_mail_is_in_the_customers_language_with_both_parts_and_the_pdf(
    stack: StackInfo,
    staff: httpx.Client,
    locale: str,
    subject: str,
    text_bits: list[str],
    html_bits: list[str],
) -> None:
    customer, inv = _customer_with_invoice(staff, locale)
    pdf = staff.get(f"/invoices/{inv['invoice_id']}/pdf")
    assert pdf.status_code == 200

    [mail] = eventually(lambda: _mail_to(stack, customer["email"]) or None, what="the invoice e-mail")

    assert mail["Subject"] == subject.format(no=inv["invoice_no"])
    assert mail.get_content_type() == "multipart/mixed"
    parts = {p.get_content_type(): p for p in mail.walk() if not p.is_multipart()}
    text = parts["text/plain"].get_payload(decode=True).decode()
    html = parts["text/html"].get_payload(decode=True).decode()
    for bit in [customer["name"], inv["invoice_no"], *text_bits]:
        assert bit in text, bit
    for bit in [inv["invoice_no"], *html_bits]:
        assert bit in html, bit
    attached = parts["application/pdf"].get_payload(decode=True)
    assert hashlib.sha256(attached).hexdigest() == hashlib.sha256(pdf.content).hexdigest()
    assert parts["application/pdf"].get_filename() == f"{inv['invoice_no']}.pdf"


def test_the_demo_shows_a_failed_mail_and_a_renewal_reminder(staff: httpx.Client) -> None:
    page = staff.get("/notifications", params={"status": "failed"})
    assert "inkop@refused.example" in page.text
    # The customer's own list: the whole suite's mails fill many pages of the unfiltered one.
    failed_mails = staff.get("/api/v1/emails", params={"status": "failed", "limit": 500}).json()["items"]
    [failed] = [e for e in failed_mails if e["recipient"] == "inkop@refused.example"][:1]
    everything = staff.get("/notifications", params={"customer_id": failed["customer_id"]}).text
    assert "renewal_reminder" in everything and "Påminnelse 1: avtal" in everything


def test_billing_announces_each_run_and_staff_hear_of_one_with_failures(
    stack: StackInfo, staff: httpx.Client
) -> None:
    clean_key = unique("run")
    ok(staff.post("/api/v1/billing-runs", json={"as_of": "2026-01-15", "run_key": clean_key}))

    def announced() -> Any:
        records = asyncio.run(read_all(stack.kafka_bootstrap_servers, topics.BILLING_RUN_FINISHED))
        return [r for r in records if clean_key.encode() in r.value] or None

    [clean] = eventually(announced, what="billing.run.finished of the run")
    assert b'"failed":0' in clean.value
    # One with failures, as billing would publish it: the staff address of the local stack hears of it.
    failing_key = unique("run")
    run_id = str(uuid.uuid4())
    failure = {"contract_id": str(uuid.uuid4()), "period_start": "2026-01-01", "reason": "no VAT rate for XX"}
    data = {"run_id": run_id, "run_key": failing_key, "as_of": "2026-01-15", "round": 1,
            "invoices_created": 3, "failed": 1, "failures": [failure]}  # fmt: skip
    body = envelope_json(topics.BILLING_RUN_FINISHED, run_id, data)
    _publish(stack, topics.BILLING_RUN_FINISHED, run_id, body)

    def staff_mails() -> Any:
        return [
            m for m in _mail_to(stack, "finance@avtal.local") if failing_key in (m["Subject"] or "")
        ] or None

    [mail] = eventually(staff_mails, what="the staff notice")
    assert mail["Subject"] == f"Billing run {failing_key} finished with 1 failure"
    assert not [m for m in _mail_to(stack, "finance@avtal.local") if clean_key in (m["Subject"] or "")]


def test_preferences_set_on_the_staff_form_decide_who_gets_the_next_notice(
    stack: StackInfo, staff: httpx.Client
) -> None:
    customer = ok(
        staff.post(
            "/api/v1/customers", json={"name": unique("Kund"), "email": f"{unique('own')}@example.com"}
        )
    )
    cid, contact = customer["customer_id"], f"{unique('cfo')}@example.com"
    form = staff.get(f"/notifications/preferences/{cid}")
    assert form.status_code == 200 and 'name="contacts:overdue"' in form.text

    # Overdue notices on, to the contact only; the renewal notices to the customer; the rest off.
    fields = {
        f"{box}:{k}": "1"
        for k in ("contract_expiring", "renewal_quote", "renewal_reminder")
        for box in ("on", "own")
    }
    fields |= {"on:overdue": "1", "contacts:overdue": contact}
    saved = staff.post(f"/notifications/preferences/{cid}", data=fields)
    assert saved.status_code in (200, 303)
    with stack.internal("notifier") as notifier:
        prefs = {p["kind"]: p for p in ok(notifier.get(f"/preferences/{cid}"))["preferences"]}
    assert prefs["overdue"]["contacts"] == [contact] and prefs["overdue"]["customer_email"] is False
    assert prefs["invoice"]["enabled"] is False

    invoice_id = str(uuid.uuid4())
    body = _overdue(customer["email"], 1, invoice_id) | {"customer_id": cid}
    _publish(
        stack, topics.INVOICE_OVERDUE, invoice_id, envelope_json(topics.INVOICE_OVERDUE, invoice_id, body)
    )

    eventually(lambda: _mail_to(stack, contact) or None, what="the notice to the contact")
    assert _mail_to(stack, customer["email"]) == []
