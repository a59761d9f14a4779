"""`customer.upserted` from a CRM on the real broker: upsert by the CRM's id, in `occurred_at` order, and
invalid payloads to the dead-letter topic with their reason."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import asyncpg

from avtal_common import topics
from avtal_testing.api import eventually, unique
from avtal_testing.kafka import header, publish, read_all
from avtal_testing.stack import StackInfo


def _event(ref: str, occurred_at: str, event_id: uuid.UUID | None = None, **data: Any) -> bytes:
    return json.dumps(
        {
            "event_id": str(event_id or uuid.uuid4()),
            "event_type": topics.CUSTOMER_UPSERTED,
            "occurred_at": occurred_at,
            "producer": "crm",
            "aggregate_id": ref,
            "data": {"external_ref": ref, **data},
        }
    ).encode()


async def _customer(stack: StackInfo, ref: str) -> asyncpg.Record | None:
    conn = await asyncpg.connect(stack.database_url("contracts"))
    try:
        row: asyncpg.Record | None = await conn.fetchrow(
            "SELECT * FROM customers WHERE external_ref = $1", ref
        )
        return row
    finally:
        await conn.close()


def _stored(stack: StackInfo, ref: str) -> asyncpg.Record | None:
    return asyncio.run(_customer(stack, ref))


async def _send(stack: StackInfo, ref: str, value: bytes) -> None:
    await publish(stack.kafka_bootstrap_servers, topics.CUSTOMER_UPSERTED, value, key=ref.encode())


def test_a_crm_customer_is_created_then_updated_and_a_replay_or_an_older_event_changes_nothing(
    stack: StackInfo,
) -> None:
    ref = unique("CRM")
    base = {"name": "Kund AB", "email": "faktura@kund.example", "country": "DE", "currency": "EUR"}
    created = uuid.uuid4()
    asyncio.run(_send(stack, ref, _event(ref, "2026-11-01T10:00:00Z", created, **base, city="Bonn")))
    first = eventually(lambda: _stored(stack, ref), what="the CRM customer to be created")

    newer = _event(ref, "2026-11-02T10:00:00Z", **base, city="Köln", tax_id="DE1", reverse_charge=True)
    asyncio.run(_send(stack, ref, newer))
    second = eventually(
        lambda: r if (r := _stored(stack, ref)) and r["city"] == "Köln" else None, what="the newer change"
    )
    # Behind them on the same partition: the first event again, an older change, then a marker change.
    asyncio.run(_send(stack, ref, _event(ref, "2026-11-01T10:00:00Z", created, **base, city="Bonn")))
    asyncio.run(_send(stack, ref, _event(ref, "2026-11-01T12:00:00Z", **base, city="Aachen")))
    asyncio.run(_send(stack, ref, _event(ref, "2026-11-03T10:00:00Z", **base, phone="+49 1")))
    last = eventually(
        lambda: r if (r := _stored(stack, ref)) and r["phone"] == "+49 1" else None, what="the marker change"
    )

    assert (first["name"], first["city"], first["country"], first["currency"], first["version"]) == (
        "Kund AB", "Bonn", "DE", "EUR", 1,
    )  # fmt: skip
    assert (second["city"], second["reverse_charge"], second["version"]) == ("Köln", True, 2)
    assert (last["city"], last["tax_id"], last["version"]) == ("Köln", "DE1", 3)


async def test_an_invalid_crm_customer_is_dead_lettered_with_its_reason(stack: StackInfo) -> None:
    ref = unique("CRM")
    no_email = _event(ref, "2026-11-01T10:00:00Z", name="Utan Epost AB")
    no_vat_no = _event(ref, "2026-11-01T10:00:00Z", name="X", email="x@x.example", reverse_charge=True)
    for value in (no_email, no_vat_no):
        await _send(stack, ref, value)

    reasons: list[str] = []
    for _ in range(60):
        dead = await read_all(stack.kafka_bootstrap_servers, topics.dlq(topics.CUSTOMER_UPSERTED))
        reasons = [header(r, "dlq.reason") or "" for r in dead if r.key == ref.encode()]
        if len(reasons) == 2:
            break
        await asyncio.sleep(0.5)

    assert reasons[0].startswith("schema:") and "email" in reasons[0]
    assert reasons[1].startswith("domain:") and "VAT number" in reasons[1]
    assert await _customer(stack, ref) is None
