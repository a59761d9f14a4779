"""The outbox relay publishes every committed row, and a crash between publish and mark doubles nothing."""

from __future__ import annotations

import asyncio
import json
import random
import uuid

from prometheus_client import REGISTRY

from avtal_common.outbox import add_event, new_envelope
from avtal_testing import plumbing
from avtal_testing.kafka import read_all
from avtal_testing.plumbing import Scratch


async def test_two_hundred_transactions_committing_in_random_order_are_all_published(world: Scratch) -> None:
    pool, topic = world.pool, world.topic

    async def one(seq: int) -> uuid.UUID:
        async with pool.acquire() as conn, conn.transaction():
            env = new_envelope(topic, "t", f"agg-{seq}", plumbing.Ping(seq=seq))
            await add_event(conn, topic, env)
            await asyncio.sleep(random.uniform(0, 0.3))  # commit order ≠ id order
        return env.event_id

    async with plumbing.RunningRelay(world.common, pool):
        ids = set(await asyncio.gather(*(one(i) for i in range(200))))
        async with pool.acquire() as conn:
            await eventually_async(
                lambda: conn.fetchval("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL")
            )
    published = {
        json.loads(r.value)["event_id"] for r in await read_all(world.common.kafka_bootstrap_servers, topic)
    }
    assert published == {str(i) for i in ids}


async def test_a_commit_wakes_the_relay_at_once_without_waiting_for_its_poll(world: Scratch) -> None:
    async with (
        plumbing.RunningRelay(world.common, world.pool, poll_interval_s=60),
        world.pool.acquire() as conn,
    ):
        await asyncio.sleep(1.0)  # the relay has drained the empty outbox and is waiting
        started = asyncio.get_running_loop().time()
        await plumbing.queue_events(world.pool, world.topic, 1)
        await eventually_async(
            lambda: conn.fetchval("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL"), timeout_s=10
        )
        assert asyncio.get_running_loop().time() - started < 5  # NOTIFY, not the 60 s poll


async def test_a_relay_killed_between_publishing_and_marking_causes_no_double_effect(world: Scratch) -> None:
    pool, topic = world.pool, world.topic
    ids = await plumbing.queue_events(pool, topic, 40)
    crashed = world.spawn("relay", "--crash-after-publish")
    assert crashed.wait(timeout=120) == -9
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 40
    bootstrap = world.common.kafka_bootstrap_servers
    assert len(await read_all(bootstrap, topic)) == 40  # published, never marked

    group = f"g-{uuid.uuid4().hex[:6]}"
    consumer = await plumbing.start_consumer(world.common, pool, topic, group)
    try:
        async with plumbing.RunningRelay(world.common, pool), pool.acquire() as conn:
            await eventually_async(
                lambda: conn.fetchval("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL")
            )
            assert len(await read_all(bootstrap, topic)) == 80  # every event was delivered twice
            await eventually_async(lambda: _handled(group, topic, "duplicate", 40))
            assert await _handled(group, topic, "handled", 40)
            rows = await conn.fetch("SELECT event_id FROM effects")
        assert sorted(r["event_id"] for r in rows) == sorted(ids)  # …and took effect once
    finally:
        await consumer.stop()


async def test_an_event_whose_handler_keeps_failing_is_dead_lettered_and_the_rest_take_effect(
    world: Scratch,
) -> None:
    pool, topic = world.pool, world.topic
    consumer = await plumbing.start_consumer(world.common, pool, topic, f"g-{uuid.uuid4().hex[:6]}", poison=3)
    try:
        ids = await plumbing.queue_events(pool, topic, 10)
        async with plumbing.RunningRelay(world.common, pool), pool.acquire() as conn:
            await eventually_async(lambda: conn.fetchval("SELECT count(*) >= 9 FROM effects"))
            seqs = sorted(r["seq"] for r in await conn.fetch("SELECT seq FROM effects"))
        assert seqs == [0, 1, 2, 4, 5, 6, 7, 8, 9]
        dead = await _read_until_any(world.common.kafka_bootstrap_servers, f"{topic}.dlq")
        assert [json.loads(r.value)["event_id"] for r in dead] == [str(ids[3])]
        reason = dict(dead[0].headers)["dlq.reason"].decode()
        assert reason.startswith("handler failed 5 times") and "cannot handle seq 3" in reason
    finally:
        await consumer.stop()


async def test_a_transient_failure_is_retried_with_backoff_and_takes_effect_once(world: Scratch) -> None:
    group = f"g-{uuid.uuid4().hex[:6]}"
    consumer = await plumbing.start_consumer(world.common, world.pool, world.topic, group, flaky=6)
    try:
        ids = await plumbing.queue_events(world.pool, world.topic, 10)
        async with plumbing.RunningRelay(world.common, world.pool), world.pool.acquire() as conn:
            await eventually_async(lambda: conn.fetchval("SELECT count(*) >= 10 FROM effects"))
            rows = await conn.fetch("SELECT event_id FROM effects")
        assert sorted(r["event_id"] for r in rows) == sorted(ids)
        # 6 failures are more than the 5 attempts allowed for bugs: transient ones never dead-letter.
        assert await read_all(world.common.kafka_bootstrap_servers, f"{world.topic}.dlq") == []
        retries = REGISTRY.get_sample_value(
            "avtal_handler_retries_total", {"group": group, "topic": world.topic}
        )
        assert retries == 6
    finally:
        await consumer.stop()


async def _handled(group: str, topic: str, outcome: str, count: int) -> bool:
    labels = {"group": group, "topic": topic, "outcome": outcome}
    return REGISTRY.get_sample_value("avtal_events_handled_total", labels) == count


async def _read_until_any(bootstrap: str, topic: str, timeout_s: float = 60.0) -> list:
    """The dead letter is published when its batch is isolated, possibly after the others commit."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not (found := await read_all(bootstrap, topic)):
        if asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.3)
    return found


async def eventually_async(probe, timeout_s: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if await probe():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("timed out")
