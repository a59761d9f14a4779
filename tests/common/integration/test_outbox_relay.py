"""The outbox relay publishes every committed row, and a crash between publish and mark doubles nothing."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from avtal_common.db import create_pool
from avtal_common.kafka import make_broker
from avtal_common.outbox import OutboxRelay, add_event, new_envelope
from avtal_common.settings import CommonSettings
from avtal_testing import plumbing
from avtal_testing.api import eventually
from avtal_testing.kafka import read_all
from avtal_testing.stack import ROOT, StackInfo


@pytest.fixture
async def world(stack: StackInfo) -> AsyncIterator[dict]:
    name = f"test_{uuid.uuid4().hex[:10]}"
    db_url = stack.database_url(name).replace("avtal_test_", "test_")
    common = CommonSettings(kafka_bootstrap_servers=stack.kafka_bootstrap_servers,
                            kafka_profile=stack.kafka_profile, postgres_url=stack.postgres_url)
    topic = f"test.{name}"
    await plumbing.prepare(db_url, common, topic)
    pool = await create_pool(db_url, max_size=40)
    yield {"db_url": db_url, "common": common, "topic": topic, "pool": pool}
    await pool.close()


async def test_two_hundred_transactions_committing_in_random_order_are_all_published(world: dict) -> None:
    pool, topic = world["pool"], world["topic"]
    broker = make_broker(world["common"], "test-relay")
    await broker.start()
    relay = asyncio.create_task(OutboxRelay(pool, broker, "t", batch_size=50, poll_interval_s=0.1).run())

    async def one(seq: int) -> uuid.UUID:
        async with pool.acquire() as conn, conn.transaction():
            env = new_envelope(topic, "t", f"agg-{seq}", plumbing.Ping(seq=seq))
            await add_event(conn, topic, env)
            await asyncio.sleep(random.uniform(0, 0.3))  # commit order ≠ id order
        return env.event_id

    try:
        ids = set(await asyncio.gather(*(one(i) for i in range(200))))
        async with pool.acquire() as conn:
            await eventually_async(lambda: conn.fetchval(
                "SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL"))
        published = {json.loads(r.value)["event_id"] for r in await read_all(
            world["common"].kafka_bootstrap_servers, topic)}
        assert published == {str(i) for i in ids}
    finally:
        relay.cancel()
        await broker.stop()


async def test_a_relay_killed_between_publishing_and_marking_causes_no_double_effect(
        world: dict, stack: StackInfo) -> None:
    pool, topic, db_url = world["pool"], world["topic"], world["db_url"]
    ids = await plumbing.queue_events(pool, topic, 40)
    env = stack.env | {"AVTAL_FAULT_RELAY_CRASH_AFTER_PUBLISH": "1", "PYTHONPATH": str(ROOT / "tests")}
    crashed = subprocess.run([sys.executable, "-m", "avtal_testing.plumbing", "relay", "--db", db_url],
                             env=env, timeout=120, capture_output=True)
    assert crashed.returncode == -9, crashed.stderr.decode()[-2000:]
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 40
    bootstrap = world["common"].kafka_bootstrap_servers
    assert len(await read_all(bootstrap, topic)) == 40  # published, never marked

    broker = make_broker(world["common"], "test-relay-2")
    await broker.start()
    relay = asyncio.create_task(OutboxRelay(pool, broker, "t", batch_size=100, poll_interval_s=0.1).run())
    consumer = await plumbing.start_consumer(world["common"], pool, topic, f"g-{uuid.uuid4().hex[:6]}")
    try:
        async with pool.acquire() as conn:
            await eventually_async(lambda: conn.fetchval("SELECT count(*) >= 40 FROM inbox"))
            await asyncio.sleep(2)  # let the duplicates arrive too
            assert len(await read_all(bootstrap, topic)) == 80  # every event was delivered twice
            rows = await conn.fetch("SELECT event_id FROM effects")
        assert sorted(r["event_id"] for r in rows) == sorted(ids)  # …and took effect once
    finally:
        relay.cancel()
        await consumer.stop()
        await broker.stop()


async def test_an_event_whose_handler_keeps_failing_is_dead_lettered_and_the_rest_take_effect(
        world: dict) -> None:
    pool, topic = world["pool"], world["topic"]
    broker = make_broker(world["common"], "test-relay-3")
    await broker.start()
    relay = asyncio.create_task(OutboxRelay(pool, broker, "t", batch_size=100, poll_interval_s=0.1).run())
    consumer = await plumbing.start_consumer(world["common"], pool, topic, f"g-{uuid.uuid4().hex[:6]}",
                                             poison=3)
    try:
        ids = await plumbing.queue_events(pool, topic, 10)
        async with pool.acquire() as conn:
            await eventually_async(lambda: conn.fetchval("SELECT count(*) >= 9 FROM effects"))
            seqs = sorted(r["seq"] for r in await conn.fetch("SELECT seq FROM effects"))
        assert seqs == [0, 1, 2, 4, 5, 6, 7, 8, 9]
        dead = [r for r in await read_all(world["common"].kafka_bootstrap_servers, f"{topic}.dlq")]
        assert [json.loads(r.value)["event_id"] for r in dead] == [str(ids[3])]
        reason = dict(dead[0].headers)["dlq.reason"].decode()
        assert reason.startswith("handler failed 5 times") and "cannot handle seq 3" in reason
    finally:
        relay.cancel()
        await consumer.stop()
        await broker.stop()


async def eventually_async(probe, timeout_s: float = 60.0) -> None:  # noqa: ANN001
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if await probe():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("timed out")


__all__ = ["asyncpg", "eventually"]
