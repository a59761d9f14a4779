"""Delivery guarantees on the real broker: dead letters, duplicates, a killed consumer."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
import httpx
import pytest

from avtal_common import topics
from avtal_testing import plumbing
from avtal_testing.api import eventually, ok, unique
from avtal_testing.kafka import envelope_json, header, publish, read_all
from avtal_testing.plumbing import Scratch
from avtal_testing.stack import StackInfo


def _contract_created(contract_id: uuid.UUID, start: str = "2026-01-01", end: str = "2026-12-31") -> dict:
    customer_id = uuid.uuid4()
    return {
        "contract_id": str(contract_id),
        "contract_no": unique("C"),
        "currency": "SEK",
        "customer": {
            "customer_id": str(customer_id),
            "name": "Event Customer AB",
            "email": f"{unique('ev')}@example.com",
            "locale": "en",
        },
        "start_date": start,
        "end_date": end,
        "billing_interval_months": 12,
        "lines": [
            {
                "line_id": str(uuid.uuid4()),
                "product_id": str(uuid.uuid4()),
                "sku": "EV-1",
                "product_name": "Event care",
                "annual_price": "999.00",
                "item": {
                    "item_id": str(uuid.uuid4()),
                    "manufacturer_no": "M",
                    "model": "X",
                    "serial_no": unique("S"),
                },
            }
        ],
    }


def _schedule(stack: StackInfo, contract_id: uuid.UUID) -> list | None:
    r = httpx.get(
        f"{stack.services['billing']}/contracts/{contract_id}/schedule", headers=stack.internal_headers
    )
    return r.json() if r.status_code == 200 else None


async def test_a_malformed_message_is_dead_lettered_with_its_reason_and_the_next_one_is_processed(
    stack: StackInfo,
) -> None:
    bootstrap = stack.kafka_bootstrap_servers
    garbage_key = unique("garbage").encode()
    await publish(
        bootstrap,
        topics.CONTRACT_CREATED,
        b"{this is not json",
        key=garbage_key,
        headers={"x-correlation-id": "dlq-test"},
    )
    bad_rule_id = uuid.uuid4()
    await publish(
        bootstrap,
        topics.CONTRACT_CREATED,
        envelope_json(
            topics.CONTRACT_CREATED,
            str(bad_rule_id),
            _contract_created(bad_rule_id, "2026-05-01", "2026-04-01"),
        ),
        key=str(bad_rule_id).encode(),
    )
    good_id = uuid.uuid4()
    await publish(
        bootstrap,
        topics.CONTRACT_CREATED,
        envelope_json(topics.CONTRACT_CREATED, str(good_id), _contract_created(good_id)),
        key=str(good_id).encode(),
    )

    assert eventually(lambda: _schedule(stack, good_id), what="the good event to be applied")
    dead = await _dead_letters(bootstrap, topics.CONTRACT_CREATED, garbage_key)
    assert header(dead, "dlq.reason").startswith("schema:")
    assert header(dead, "dlq.group") == "billing" and header(dead, "x-correlation-id") == "dlq-test"
    assert header(dead, "dlq.original_topic") == topics.CONTRACT_CREATED
    refused = await _dead_letters(bootstrap, topics.CONTRACT_CREATED, str(bad_rule_id).encode())
    assert header(refused, "dlq.reason").startswith("domain:")
    assert _schedule(stack, bad_rule_id) is None


async def _dead_letters(bootstrap: str, topic: str, key: bytes):
    for _ in range(60):
        found = [r for r in await read_all(bootstrap, topics.dlq(topic)) if r.key == key]
        if found:
            return found[0]
        await asyncio.sleep(0.5)
    raise AssertionError(f"nothing with key {key!r} in {topics.dlq(topic)}")


async def test_the_same_event_delivered_twice_makes_one_invoice(
    stack: StackInfo, staff: httpx.Client
) -> None:
    contract_id, event_id = uuid.uuid4(), uuid.uuid4()
    message = envelope_json(
        topics.CONTRACT_CREATED, str(contract_id), _contract_created(contract_id), event_id=event_id
    )
    for _ in range(2):
        await publish(
            stack.kafka_bootstrap_servers, topics.CONTRACT_CREATED, message, key=str(contract_id).encode()
        )
    eventually(lambda: _schedule(stack, contract_id), what="billing to apply the event")
    conn = await asyncpg.connect(stack.database_url("billing"))
    try:
        await _claimed(conn, event_id)
        for key in (unique("run"), unique("run")):
            ok(staff.post("/api/v1/billing-runs", json={"as_of": "2026-06-01", "run_key": key}))
        count = await conn.fetchval("SELECT count(*) FROM invoices WHERE contract_id = $1", contract_id)
        periods = await conn.fetchval(
            "SELECT count(*) FROM billing_periods WHERE contract_id = $1", contract_id
        )
        claims = await conn.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", event_id)
    finally:
        await conn.close()
    assert (count, periods, claims) == (1, 1, 1)


async def _claimed(conn: asyncpg.Connection, event_id: uuid.UUID) -> None:
    for _ in range(120):
        if await conn.fetchval("SELECT count(*) >= 1 FROM inbox WHERE event_id = $1", event_id):
            await asyncio.sleep(1.0)  # give the duplicate time to arrive as well
            return
        await asyncio.sleep(0.25)
    raise AssertionError("the event never arrived")


@pytest.mark.timeout(240)
async def test_a_consumer_killed_mid_stream_and_restarted_loses_nothing_and_doubles_nothing(
    world: Scratch,
) -> None:
    first = world.spawn("consume", "--delay-ms", "15")
    relay = world.spawn("relay", AVTAL_LOG_LEVEL="WARNING")
    second = None
    try:
        ids = await plumbing.queue_events(world.pool, world.topic, 400)
        await _until(world.count, at_least=100)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        assert 0 < await world.count() < 400, "the kill must land mid-stream"
        second = world.spawn("consume", "--delay-ms", "15")
        await _until(lambda: world.count("SELECT count(DISTINCT event_id) FROM effects"), at_least=400)
        await asyncio.sleep(1.0)  # anything doubled would arrive now
        assert await _effects(world) == sorted(ids)
    finally:
        _kill(first, relay, second)


@pytest.mark.timeout(240)
async def test_a_consumer_stopped_with_sigterm_during_a_slow_handler_commits_nothing_in_flight(
    world: Scratch,
) -> None:
    """FastStream cancels a handler still running after the graceful timeout; that batch must be
    rolled back and redelivered, never committed (faststream #2999)."""
    slow = world.spawn("consume", "--delay-ms", "300", AVTAL_KAFKA_GRACEFUL_TIMEOUT_S="2")
    relay = world.spawn("relay")
    fast = None
    try:
        ids = await plumbing.queue_events(world.pool, world.topic, 40)
        in_flight = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
            "state LIKE 'idle in transaction%' AND query LIKE '%effects%'"
        )
        await _until(lambda: world.count(in_flight), at_least=1)  # a batch's transaction is open
        slow.send_signal(signal.SIGTERM)
        slow.wait(timeout=60)
        assert await world.count() < 40
        fast = world.spawn("consume", "--delay-ms", "0")
        await _until(lambda: world.count("SELECT count(DISTINCT event_id) FROM effects"), at_least=40)
        await asyncio.sleep(1.0)
        assert await _effects(world) == sorted(ids)
    finally:
        _kill(slow, relay, fast)


async def _until(probe: Callable[[], Awaitable[int]], at_least: int, timeout_s: float = 120) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while await probe() < at_least:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"never reached {at_least}")
        await asyncio.sleep(0.1)


async def _effects(world: Scratch) -> list[uuid.UUID]:
    async with world.pool.acquire() as conn:
        return sorted(r["event_id"] for r in await conn.fetch("SELECT event_id FROM effects"))


def _kill(*procs: subprocess.Popen[bytes] | None) -> None:
    for proc in procs:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
