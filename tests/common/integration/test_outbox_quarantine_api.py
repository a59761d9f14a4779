"""Staff see a row the relay could never send (the service's /outbox/quarantined, and the gateway's
/api/v1/outbox/{service}/quarantined), and discarding it lets the rows of its key that waited behind it go."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx

from avtal_common.db import create_pool
from avtal_common.events import Payload
from avtal_common.kafka import ensure_topics
from avtal_common.outbox import add_event, new_envelope
from avtal_common.settings import CommonSettings
from avtal_testing.api import signed_in
from avtal_testing.kafka import read_all
from avtal_testing.plumbing import Ping
from avtal_testing.stack import StackInfo


class Blob(Payload):
    text: str


async def test_a_quarantined_row_is_listed_for_staff_and_discarding_it_releases_its_key(
    stack: StackInfo,
) -> None:
    topic, key = f"test.quarantine.{uuid.uuid4().hex[:8]}", f"agg-{uuid.uuid4().hex[:8]}"
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=stack.kafka_bootstrap_servers), [topic])
    big = new_envelope(topic, "catalog", key, Blob(text="x" * 2_000_000))
    held = new_envelope(topic, "catalog", key, Ping(seq=1))
    pool = await create_pool(stack.database_url("catalog"), min_size=1, max_size=2)
    conn = await pool.acquire()
    try:
        async with conn.transaction():
            await add_event(conn, topic, big)
            await add_event(conn, topic, held)
        with (
            stack.internal("catalog") as catalog,
            signed_in(stack.portal_url, stack.staff_email, stack.staff_password) as staff,
        ):
            staff.base_url = httpx.URL(f"{stack.portal_url}/api/v1/outbox/catalog")
            row = await _until(lambda: _listed(staff, str(big.event_id)), "the row listed for staff")
            assert row["size_bytes"] > 2_000_000 and "MessageSizeTooLarge" in row["last_error"]
            assert row["topic"] == topic and row["key"] == key and row["attempts"] == 1
            assert (
                await conn.fetchval("SELECT published_at FROM outbox WHERE event_id = $1", held.event_id)
                is None
            )
            # A retry before the cause is fixed quarantines it again, one attempt later.
            assert staff.post(f"/quarantined/{big.event_id}/retry").status_code == 202
            await _until(lambda: _listed(catalog, str(big.event_id), attempts=2), "quarantined again")
            anonymous = httpx.get(f"{stack.services['catalog']}/outbox/quarantined")
            assert anonymous.status_code == 401
            assert catalog.delete(f"/outbox/quarantined/{big.event_id}").status_code == 204
            gone = staff.delete(f"/quarantined/{big.event_id}")
            assert gone.status_code == 404 and "no quarantined outbox row" in gone.json()["detail"]
        await _until(
            lambda: conn.fetchval(
                "SELECT published_at IS NOT NULL FROM outbox WHERE event_id = $1", held.event_id
            ),
            "the held row published",
        )
    finally:
        await pool.release(conn)
        await pool.close()
    published = [
        json.loads(r.value)["event_id"] for r in await read_all(stack.kafka_bootstrap_servers, topic)
    ]
    assert published == [str(held.event_id)]


async def _listed(client: httpx.Client, event_id: str, attempts: int = 1) -> dict | None:
    path = "/quarantined" if "/api/v1/" in str(client.base_url) else "/outbox/quarantined"
    body = client.get(path, params={"limit": 1000}).json()
    return next((r for r in body["items"] if r["event_id"] == event_id and r["attempts"] == attempts), None)


async def _until(probe, what: str, timeout_s: float = 30.0):
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if found := await probe():
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
