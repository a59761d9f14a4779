"""Billing's internal API on the real stack: invoices one page at a time, runs refused out of bounds."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import asyncpg
from billing.integration.test_billing_run_failures import _billing, _publish_contracts, _until_scheduled

from avtal_common.calendar_days import add_months
from avtal_testing.api import ok, unique
from avtal_testing.stack import StackInfo


async def test_invoices_of_a_contract_come_one_page_at_a_time_with_the_total(stack: StackInfo) -> None:
    ids = [uuid.uuid4()]
    today = date.today()
    start = today - timedelta(days=70)
    await _publish_contracts(stack.kafka_bootstrap_servers, ids, start, interval=1)
    conn = await asyncpg.connect(stack.database_url("billing"))
    try:
        await _until_scheduled(conn, ids)
    finally:
        await conn.close()
    with _billing(stack) as billing:
        # A run on each of the four monthly periods' invoice days (30 days, the payment terms, before
        # each starts): four invoices of one contract.
        for k in range(4):
            bill_on = add_months(start, k) - timedelta(days=30)
            ok(billing.post("/billing-runs/", json={"as_of": str(bill_on), "run_key": unique("page")}))
        first = ok(billing.get("/invoices/", params={"contract_id": str(ids[0]), "limit": 1}))
        rest = ok(billing.get("/invoices/", params={"contract_id": str(ids[0]), "limit": 5, "offset": 1}))
        too_many = billing.get("/invoices/", params={"limit": 1001})
        negative = billing.get("/invoices/", params={"offset": -1})

    assert (len(first["items"]), first["total"], first["limit"], first["offset"]) == (1, 4, 1, 0)
    assert (len(rest["items"]), rest["total"], rest["offset"]) == (3, 4, 1)
    numbers = [i["invoice_no"] for i in first["items"] + rest["items"]]
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == 4, "newest first, no repeats"
    assert (too_many.status_code, negative.status_code) == (400, 400)


def test_a_run_dated_in_2999_is_refused_with_a_message_naming_the_limit(stack: StackInfo) -> None:
    key = unique("far")
    with _billing(stack) as billing:
        refused = billing.post("/billing-runs/", json={"as_of": "2999-01-01", "run_key": key})
        missing = billing.get(f"/billing-runs/{key}")

    assert refused.status_code == 400, refused.text
    assert "(366 days) after today" in refused.json()["detail"]
    assert missing.status_code == 404, "a refused run writes nothing"
