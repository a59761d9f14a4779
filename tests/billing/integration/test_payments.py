"""Payments and collection on the real stack: partial, full and over-payments matched by OCR reference or
invoice number; an unknown reference queued for staff and resolved; the same payment message twice
applied once; the dunning ladder stepped once per step."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer
from billing.integration.test_billing_run_failures import _billing, _publish_contracts, _until_scheduled

from avtal_common import topics
from avtal_testing.api import eventually, ok, unique
from avtal_testing.kafka import envelope_json, read_all
from avtal_testing.stack import StackInfo


async def _invoices(stack: StackInfo, n: int) -> list[dict[str, Any]]:
    """`n` invoices of 125.00 (100.00 a year and 25% VAT), each of its own customer, due 30 days ago."""
    ids = [uuid.uuid4() for _ in range(n)]
    as_of = date.today() - timedelta(days=60)
    await _publish_contracts(stack.kafka_bootstrap_servers, ids, as_of)
    conn = await asyncpg.connect(stack.database_url("billing"))
    try:
        await _until_scheduled(conn, ids)
    finally:
        await conn.close()
    with _billing(stack) as billing:
        ok(billing.post("/billing-runs/", json={"as_of": str(as_of), "run_key": unique("pay")}))
        return [ok(billing.get("/invoices/", params={"contract_id": str(c)}))["items"][0] for c in ids]


async def _publish_payment(stack: StackInfo, payment: dict[str, str], times: int = 1) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        for _ in range(times):  # each a message of its own (another event id), the same payment
            body = envelope_json(topics.PAYMENT_RECEIVED, payment["payment_id"], payment)
            await producer.send_and_wait(topics.PAYMENT_RECEIVED, body, key=payment["payment_id"].encode())
    finally:
        await producer.stop()


def _payment(**kw: str) -> dict[str, str]:
    return {"payment_id": unique("bank"), "currency": "SEK", "paid_on": str(date.today()), **kw}


def _invoice(billing: httpx.Client, invoice_id: str) -> dict[str, Any]:
    return ok(billing.get(f"/invoices/{invoice_id}"))  # type: ignore[no-any-return]


def _paid_some(billing: httpx.Client, invoice_id: str) -> dict[str, Any] | None:
    found = _invoice(billing, invoice_id)
    return found if found["paid"] != "0.00" else None


async def test_partial_then_over_payment_by_ocr_and_number_pays_the_invoice_and_keeps_the_excess(
    stack: StackInfo,
) -> None:
    [inv] = await _invoices(stack, 1)
    assert inv["total"] == "125.00" and inv["ocr"]

    await _publish_payment(stack, _payment(amount="50.00", reference=inv["ocr"]))
    with _billing(stack) as billing:
        partly = eventually(lambda: _paid_some(billing, inv["invoice_id"]), what="the payment to apply")
        over = ok(billing.post("/payments", json=_payment(amount="100.00", invoice_no=inv["invoice_no"])))
        paid = _invoice(billing, inv["invoice_id"])
        [owed] = ok(billing.get("/receivables", params={"customer_id": inv["customer_id"]}))

    assert (partly["status"], partly["paid"]) == ("partially_paid", "50.00")
    assert (over["status"], over["applied"], over["credited"]) == ("matched", "75.00", "25.00")
    assert (paid["status"], paid["paid"]) == ("paid", "125.00")
    assert (owed["balance"], owed["credit"]) == ("0.00", "25.00")
    events = await read_all(stack.kafka_bootstrap_servers, topics.INVOICE_PAID)
    assert sum(1 for e in events if e.key == inv["invoice_id"].encode()) == 1, "invoice.paid once"


async def test_an_unknown_reference_waits_in_the_unmatched_queue_until_staff_resolve_it(
    stack: StackInfo,
) -> None:
    [inv] = await _invoices(stack, 1)
    wrong = inv["ocr"][:-1] + str((int(inv["ocr"][-1]) + 1) % 10)  # a typo: the check digit fails

    with _billing(stack) as billing:
        queued = ok(billing.post("/payments", json=_payment(amount="125.00", reference=wrong)))
        listed = ok(billing.get("/payments", params={"status": "unmatched", "limit": 500}))["items"]
        resolved = ok(
            billing.post(f"/payments/{queued['payment_id']}/resolve", json={"invoice_id": inv["invoice_id"]})
        )
        again = billing.post(
            f"/payments/{queued['payment_id']}/resolve", json={"invoice_id": inv["invoice_id"]}
        )
        paid = _invoice(billing, inv["invoice_id"])

    assert queued["status"] == "unmatched" and "no invoice matches" in queued["reason"]
    assert queued["payment_id"] in {p["payment_id"] for p in listed}
    assert (resolved["status"], resolved["applied"], paid["status"]) == ("matched", "125.00", "paid")
    assert again.status_code == 409, again.text


async def test_the_same_payment_message_twice_is_applied_once(stack: StackInfo) -> None:
    [inv] = await _invoices(stack, 1)
    payment = _payment(amount="40.00", reference=inv["ocr"])

    await _publish_payment(stack, payment, times=2)
    with _billing(stack) as billing:
        eventually(lambda: _paid_some(billing, inv["invoice_id"]), what="the payment")
        again = ok(billing.post("/payments", json=payment))  # and once more, from the portal
        paid = _invoice(billing, inv["invoice_id"])

    assert paid["paid"] == "40.00" and paid["status"] == "partially_paid"
    assert again["applied"] == "40.00"


async def test_dunning_takes_each_step_once_as_days_pass(stack: StackInfo) -> None:
    [inv] = await _invoices(stack, 1)
    due = date.fromisoformat(inv["due_date"])

    with _billing(stack) as billing:
        for days in (8, 8, 22):
            ok(billing.post("/dunning/run", params={"today": str(due + timedelta(days=days))}))

    events = [e for e in await read_all(stack.kafka_bootstrap_servers, topics.INVOICE_OVERDUE)
              if e.key == inv["invoice_id"].encode()]  # fmt: skip
    steps = [json.loads(e.value)["data"]["step"] for e in events]
    assert steps == [1, 2], "reminder, then the second reminder; the repeated day adds nothing"
    assert Decimal(json.loads(events[0].value)["data"]["balance"]) == Decimal("125.00")
