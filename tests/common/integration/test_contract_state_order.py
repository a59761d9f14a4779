"""Contract events reaching billing in reverse order through the real broker: the newest state wins.

Order holds only within one topic's partition, so a consumer must be right whatever order a contract's
states and facts arrive in (docs/adr/0008): version 2's state first, then version 1's, then the fact."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx

from avtal_common import topics
from avtal_testing.api import eventually, ok, unique
from avtal_testing.kafka import envelope_json, publish, read_all
from avtal_testing.stack import StackInfo


def _contract(contract_id: uuid.UUID, name: str, interval: int, price: str) -> dict[str, Any]:
    return {
        "contract_id": str(contract_id),
        "contract_no": unique("C"),
        "currency": "SEK",
        "customer": {
            "customer_id": "5d0f6c1e-8a43-4c55-9d2e-0b7a3e1f4c21",
            "name": name,
            "email": f"{unique('order')}@example.com",
            "locale": "en",
        },
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "billing_interval_months": interval,
        "status": "active",
        "lines": [
            {
                "line_id": str(uuid.uuid4()),
                "product_id": str(uuid.uuid4()),
                "sku": "ORD-1",
                "product_name": "Order care",
                "annual_price": price,
                "item": {
                    "item_id": str(uuid.uuid4()),
                    "manufacturer_no": "M",
                    "model": "X",
                    "serial_no": "S",
                },
            }
        ],
    }


async def _claimed(database_url: str, event_id: uuid.UUID, timeout_s: float = 60) -> None:
    """Wait until billing's consumer has taken `event_id` (its inbox claim), applied or ignored."""
    conn = await asyncpg.connect(database_url)
    try:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not await conn.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", event_id):
            assert asyncio.get_running_loop().time() < deadline, f"billing never consumed {event_id}"
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


def _schedule(billing: httpx.Client, contract_id: uuid.UUID) -> list[tuple[str, str]] | None:
    r = billing.get(f"/contracts/{contract_id}/schedule")
    return [(p["period_start"], p["amount"]) for p in r.json()] if r.status_code == 200 else None


async def test_states_delivered_newest_first_and_the_fact_last_bill_the_newest_state(
    stack: StackInfo,
) -> None:
    """Version 1 bills quarterly at 1200 a year (300 a quarter), version 2 half-yearly at 2400 (1200 a
    half): the schedule and the invoice must be version 2's, and nothing may be dead-lettered."""
    bootstrap, cid = stack.kafka_bootstrap_servers, uuid.uuid4()
    key, older_id = str(cid).encode(), uuid.uuid4()
    v1 = _contract(cid, "Order AB", 3, "1200.00")
    v2 = _contract(cid, "Order Group AB", 6, "2400.00")

    for topic, data, version, event_id in (
        (topics.CONTRACT_STATE, v2, 2, None),
        (topics.CONTRACT_STATE, v1, 1, older_id),
        (topics.CONTRACT_CREATED, v1, 1, None),
    ):
        await publish(bootstrap, topic, envelope_json(topic, str(cid), data, event_id, version), key=key)
    await _claimed(stack.database_url("billing"), older_id)

    with stack.internal("billing") as billing:
        assert _schedule(billing, cid) == [("2026-01-01", "1200.00"), ("2026-07-01", "1200.00")]
        ok(billing.post("/billing-runs", json={"as_of": "2026-01-15", "run_key": unique("order")}))
        invoices = ok(billing.get("/invoices", params={"contract_id": str(cid)}))["items"]
    assert [(i["total"], i["customer_name"]) for i in invoices] == [("1500.00", "Order Group AB")]  # 25% VAT
    for topic in (topics.CONTRACT_STATE, topics.CONTRACT_CREATED):
        dead = [r for r in await read_all(bootstrap, topics.dlq(topic), idle_ms=500) if r.key == key]
        assert dead == [], f"{topic} dead-lettered {len(dead)} of this contract's events"


async def test_a_newer_state_after_an_invoice_reprices_only_the_periods_not_yet_invoiced(
    stack: StackInfo,
) -> None:
    """Quarterly at 1200 a year is 300 a quarter. The first quarter is invoiced under version 1; version 2
    at 2400 a year reprices the other three to 600 each (replaced in place) and leaves the first as billed."""
    bootstrap, cid = stack.kafka_bootstrap_servers, uuid.uuid4()
    key, v2_id = str(cid).encode(), uuid.uuid4()
    with stack.internal("billing") as billing:
        v1 = envelope_json(topics.CONTRACT_STATE, str(cid), _contract(cid, "Order AB", 3, "1200.00"))
        await publish(bootstrap, topics.CONTRACT_STATE, v1, key=key)
        eventually(lambda: _schedule(billing, cid), what="billing to schedule version 1")
        ok(billing.post("/billing-runs", json={"as_of": "2026-01-15", "run_key": unique("order")}))

        v2_data = _contract(cid, "Order AB", 3, "2400.00")
        v2 = envelope_json(topics.CONTRACT_STATE, str(cid), v2_data, v2_id, version=2)
        await publish(bootstrap, topics.CONTRACT_STATE, v2, key=key)
        await _claimed(stack.database_url("billing"), v2_id)

        periods = billing.get(f"/contracts/{cid}/schedule").json()
    assert [(p["period_start"], p["amount"], p["invoice_id"] is not None) for p in periods] == [
        ("2026-01-01", "300.00", True),
        ("2026-04-01", "600.00", False),
        ("2026-07-01", "600.00", False),
        ("2026-10-01", "600.00", False),
    ]
