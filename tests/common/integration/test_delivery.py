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
from prometheus_client import REGISTRY

from avtal_common import topics
from avtal_common.outbox import new_envelope
from avtal_testing import plumbing
from avtal_testing.api import eventually, ok, unique
from avtal_testing.contracts import billing_schedule, contract_state
from avtal_testing.kafka import envelope_json, header, publish, read_all
from avtal_testing.plumbing import Scratch
from avtal_testing.stack import StackInfo


async def test_a_malformed_message_is_dead_lettered_with_its_reason_and_the_next_one_is_processed(
    stack: StackInfo,
) -> None:
    """All three share one key, hence one partition: the good one is queued behind the two bad ones."""
    bootstrap = stack.kafka_bootstrap_servers
    good_id, bad_rule_id = uuid.uuid4(), uuid.uuid4()
    key = str(good_id).encode()
    await publish(
        bootstrap,
        topics.CONTRACT_STATE,
        b"{this is not json",
        key=key,
        headers={"x-correlation-id": "dlq-test"},
    )
    await publish(
        bootstrap,
        topics.CONTRACT_STATE,
        envelope_json(
            topics.CONTRACT_STATE,
            str(bad_rule_id),
            contract_state(bad_rule_id, "2026-05-01", "2026-04-01"),
        ),
        key=key,
    )
    await publish(
        bootstrap,
        topics.CONTRACT_STATE,
        envelope_json(topics.CONTRACT_STATE, str(good_id), contract_state(good_id)),
        key=key,
    )

    assert eventually(lambda: billing_schedule(stack, good_id), what="the good event to be applied")
    # Reporting reads contract.state too and dead-letters the malformed one for its own group.
    dead = await _dead_letter(bootstrap, topics.CONTRACT_STATE, key, "schema:")
    assert header(dead, "x-correlation-id") == "dlq-test"
    assert header(dead, "dlq.original_topic") == topics.CONTRACT_STATE
    refused = await _dead_letter(bootstrap, topics.CONTRACT_STATE, key, "domain:")
    assert header(refused, "dlq.original_partition") == header(dead, "dlq.original_partition")
    assert billing_schedule(stack, bad_rule_id) is None


async def _dead_letter(bootstrap: str, topic: str, key: bytes, reason: str, group: str = "billing"):
    for _ in range(60):
        found = [
            r
            for r in await read_all(bootstrap, topics.dlq(topic))
            if r.key == key
            and (header(r, "dlq.reason") or "").startswith(reason)
            and header(r, "dlq.group") == group
        ]
        if found:
            return found[0]
        await asyncio.sleep(0.5)
    raise AssertionError(f"nothing with key {key!r} and reason {reason!r} in {topics.dlq(topic)}")


async def test_the_same_event_delivered_twice_takes_effect_once_in_a_handler_without_a_unique_key(
    world: Scratch,
) -> None:
    """The effects table has no unique key: only the inbox keeps the second delivery from adding a row.
    The test waits until the consumer has seen both deliveries (its outcome counters), not a while."""
    env = new_envelope(world.topic, "plumbing-test", "agg-dup", plumbing.Ping(seq=1))
    bootstrap = world.common.kafka_bootstrap_servers
    async with plumbing.RunningConsumer(world, plumbing.Faults()):
        for delivery in (1, 2):  # two deliveries apart, as a redelivery after a lost commit would come
            await publish(bootstrap, world.topic, env.model_dump_json().encode(), key=b"agg-dup")
            await _until(lambda: _consumed(world), at_least=delivery, timeout_s=45)
    assert (_outcome(world, "handled"), _outcome(world, "duplicate")) == (1, 1)
    assert await world.count(f"SELECT count(*) FROM effects WHERE event_id = '{env.event_id}'") == 1


def _outcome(world: Scratch, outcome: str) -> int:
    labels = {"group": world.group, "topic": world.topic, "outcome": outcome}
    return int(REGISTRY.get_sample_value("avtal_events_handled_total", labels) or 0)


async def _consumed(world: Scratch) -> int:
    return _outcome(world, "handled") + _outcome(world, "duplicate")


async def test_the_same_event_delivered_twice_makes_one_invoice(
    stack: StackInfo, staff: httpx.Client
) -> None:
    contract_id, event_id = uuid.uuid4(), uuid.uuid4()
    message = envelope_json(
        topics.CONTRACT_STATE, str(contract_id), contract_state(contract_id), event_id=event_id
    )
    duplicates_before = _billing_duplicates(stack)
    for _ in range(2):
        await publish(
            stack.kafka_bootstrap_servers, topics.CONTRACT_STATE, message, key=str(contract_id).encode()
        )
    eventually(lambda: billing_schedule(stack, contract_id), what="billing to apply the event")
    eventually(
        lambda: _billing_duplicates(stack) > duplicates_before, what="billing to consume the duplicate"
    )
    conn = await asyncpg.connect(stack.database_url("billing"))
    try:
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


def _billing_duplicates(stack: StackInfo) -> float:
    """Events billing's consumer found already claimed in its inbox, from its /metrics."""
    text = httpx.get(f"{stack.services['billing']}/metrics", timeout=10).text
    labels = ('group="billing"', 'outcome="duplicate"', f'topic="{topics.CONTRACT_STATE}"')
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("avtal_events_handled_total{") and all(x in line for x in labels)
    )


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
