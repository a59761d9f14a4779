"""Renewal quotes on the real stack: the first contract.expiring of a term makes one pro-forma quote of
the next term at its price (here a 3% yearly uplift), with its own RQ number and PDF, on renewal.quoted;
the term's later reminders make no second quote."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import asyncpg
from aiokafka import AIOKafkaProducer
from billing.integration.test_billing_run_failures import _billing, _until_scheduled

from avtal_common import topics
from avtal_testing.api import eventually, ok
from avtal_testing.contracts import contract_state
from avtal_testing.kafka import envelope_json, read_all
from avtal_testing.stack import StackInfo


async def test_an_expiring_term_gets_one_quote_of_the_next_term_at_the_uplifted_price(
    stack: StackInfo,
) -> None:
    cid = uuid.uuid4()
    end = date.today() + timedelta(days=60)
    state = contract_state(cid, str(end - timedelta(days=364)), str(end), 12, "1000.00")
    state["terms"] = {"price_policy": "uplift_pct", "uplift_pct": "3", "renewal_term_months": 12}
    expiring = {
        "contract_id": str(cid), "contract_no": state["contract_no"], "customer": state["customer"],
        "end_date": str(end), "notice_deadline": str(end), "basis": "term_end", "lead_days": 90,
        "due_on": str(end - timedelta(days=90)), "auto_renew": False, "annual_value": "1000.00",
        "currency": "SEK",
    }  # fmt: skip
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        body = envelope_json(topics.CONTRACT_STATE, str(cid), state)
        await producer.send_and_wait(topics.CONTRACT_STATE, body, key=str(cid).encode())
        conn = await asyncpg.connect(stack.database_url("billing"))
        try:
            await _until_scheduled(conn, [cid])
        finally:
            await conn.close()
        for lead in (90, 30):  # two reminders of the same term
            body = envelope_json(topics.CONTRACT_EXPIRING, str(cid), expiring | {"lead_days": lead})
            await producer.send_and_wait(topics.CONTRACT_EXPIRING, body, key=str(cid).encode())
    finally:
        await producer.stop()

    with _billing(stack) as billing:
        quotes = eventually(
            lambda: [i for i in ok(billing.get("/invoices/", params={"contract_id": str(cid)}))["items"]
                     if i["kind"] == "renewal_quote" and i["pdf_ready"]] or None,
            what="the renewal quote and its PDF",
        )  # fmt: skip
    [quote] = quotes
    assert quote["invoice_no"].startswith(f"RQ-{date.today().year}-")
    assert (quote["period_start"], quote["net"], quote["total"]) == (
        str(end + timedelta(days=1)),
        "1030.00",
        "1287.50",
    )
    records = await read_all(stack.kafka_bootstrap_servers, topics.RENEWAL_QUOTED)
    announced = [json.loads(r.value) for r in records if r.key == quote["invoice_id"].encode()]
    assert [a["data"]["kind"] for a in announced] == ["renewal_quote"]
