"""Payments racing on one invoice on the real stack: each sees the balance the other left (the invoice row
is locked while a payment is applied), so the invoice is paid exactly once and the rest is credit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from billing.integration.test_billing_run_failures import _billing
from billing.integration.test_payments import _invoices, _payment

from avtal_common import topics
from avtal_testing.api import ok
from avtal_testing.kafka import read_all
from avtal_testing.stack import StackInfo

RACERS = 6


async def test_payments_of_the_full_balance_at_once_pay_the_invoice_once_and_keep_the_rest_as_credit(
    stack: StackInfo,
) -> None:
    [inv] = await _invoices(stack, 1)

    def pay(_: int) -> dict[str, Any]:
        with _billing(stack) as billing:  # a client (connection) each, so the requests overlap
            return ok(billing.post("/payments", json=_payment(amount=inv["total"], reference=inv["ocr"])))

    with ThreadPoolExecutor(RACERS) as pool:
        results = list(pool.map(pay, range(RACERS)))
    with _billing(stack) as billing:
        paid = ok(billing.get(f"/invoices/{inv['invoice_id']}"))
        [owed] = ok(billing.get("/receivables", params={"customer_id": inv["customer_id"]}))

    total = Decimal(inv["total"])
    assert sum(Decimal(r["applied"]) for r in results) == total, "applied once in all"
    assert sum(Decimal(r["credited"]) for r in results) == total * (RACERS - 1)
    assert (paid["status"], Decimal(paid["paid"])) == ("paid", total)
    assert Decimal(owed["credit"]) == total * (RACERS - 1)
    events = await read_all(stack.kafka_bootstrap_servers, topics.INVOICE_PAID)
    assert sum(1 for e in events if e.key == inv["invoice_id"].encode()) == 1, "invoice.paid once"
