"""A TCP proxy between a relay and consumer and their PostgreSQL, cut for 20 s: both report failing, the
backlog gauge (counted by another replica, whose database is reachable) rises, and once the proxy is back
every event is published once in per-key order and applied once, with no dead letter."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from collections import defaultdict
from urllib.parse import urlsplit, urlunsplit

import pytest
from prometheus_client import REGISTRY

from avtal_common.db import create_pool
from avtal_common.outbox import new_envelope
from avtal_common.outbox_admin import watch_outbox
from avtal_common.topics import dlq
from avtal_testing import plumbing
from avtal_testing.kafka import publish, read_all
from avtal_testing.plumbing import Faults, RunningConsumer, RunningRelay, Scratch
from avtal_testing.tcp_proxy import TcpProxy

CUT_S = 20.0
KEYS = 10


async def until(probe, timeout_s: float, what: str):
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if found := await probe():
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def through(db_url: str, port: int) -> str:
    parts = urlsplit(db_url)
    return urlunsplit(parts._replace(netloc=f"{parts.netloc.rpartition(':')[0]}:{port}"))


def gauge(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


@pytest.mark.timeout(300)
async def test_a_database_cut_of_twenty_seconds_shows_as_failing_and_a_rising_backlog_and_loses_nothing(
    world: Scratch,
) -> None:
    proxy = await TcpProxy(urlsplit(world.db_url).port or 5432).start()
    cut_pool = await create_pool(through(world.db_url, proxy.port), max_size=10)
    cut_world = dataclasses.replace(world, pool=cut_pool)  # the consumer's database goes through the proxy
    service = f"dbcut-{uuid.uuid4().hex[:6]}"
    gauges = asyncio.create_task(watch_outbox(world.pool, service, interval_s=0.2))  # a reachable replica
    try:
        async with (
            RunningRelay(world.common, cut_pool, service=service, round_timeout_s=2) as relay,
            RunningConsumer(cut_world, Faults()) as consumer,
        ):
            await plumbing.queue_keyed(world.pool, world.topic, 200, keys=KEYS)
            await until(lambda: _effects_are(world, 200), 60, "the events before the cut applied")
            proxy.cut()
            cut_at = asyncio.get_running_loop().time()
            await until(lambda: _backlog_is(service, 0), 5, "the backlog gauge at 0 before the cut's rows")
            await plumbing.queue_keyed(world.pool, world.topic, 200, keys=KEYS, first_seq=200)
            await _publish_directly(world, range(400, 450))  # another producer's events reach the consumer
            await until(lambda: _backlog_is(service, 200), 10, "the backlog gauge rising to 200")
            age_early, early_at = _oldest_age(service), asyncio.get_running_loop().time()
            await until(lambda: _both_failing(relay, consumer, 5), 30, "relay and consumer failing for 5 s")
            await asyncio.sleep(max(0.0, cut_at + CUT_S - asyncio.get_running_loop().time()))  # the fault
            during = (relay.relay.failing_for(), _consumer_failing(world))
            age_late, late_at = _oldest_age(service), asyncio.get_running_loop().time()
            assert await world.count() == 200, "an effect was recorded while its database was cut off"
            proxy.restore()
            await until(lambda: _effects_are(world, 450), 60, "every event applied after the cut")
            await until(lambda: _backlog_is(service, 0), 30, "the backlog gauge back to 0")
            await until(lambda: _both_failing(relay, consumer, 0), 30, "relay and consumer healthy again")
            await asyncio.sleep(0.5)  # (a late double would land now; the asserts below would see it)
    finally:
        gauges.cancel()
        proxy.restore()
        await cut_pool.close()
        await proxy.close()
    assert during[0] > CUT_S - 8 and during[1] > CUT_S - 8, f"failing for {during} s during the cut"
    grew, waited = age_late - age_early, late_at - early_at
    assert grew > waited - 2 and waited > 5, f"oldest age grew {grew:.1f} s in {waited:.1f} s of the cut"
    await _assert_nothing_lost_doubled_or_reordered(world)


async def _assert_nothing_lost_doubled_or_reordered(world: Scratch) -> None:
    """Every outbox row on the topic once, in its key's order; every event's effect once, in key order."""
    expected = defaultdict(list)
    for r in await world.pool.fetch("SELECT key, event_id FROM outbox ORDER BY id"):
        expected[r["key"]].append(str(r["event_id"]))
    published = defaultdict(list)
    for record in await read_all(world.common.kafka_bootstrap_servers, world.topic):
        event = json.loads(record.value)
        if event["producer"] != "direct":
            published[record.key.decode()].append(event["event_id"])
    assert published == expected
    effects = [r["seq"] for r in await world.pool.fetch("SELECT seq FROM effects ORDER BY id")]
    assert sorted(effects) == list(range(450))
    for key in range(KEYS):
        mine = [s for s in effects if s < 400 and s % KEYS == key]
        assert mine == sorted(mine), f"key-{key} applied out of order"
    assert await read_all(world.common.kafka_bootstrap_servers, dlq(world.topic), idle_ms=300) == []


async def _publish_directly(world: Scratch, seqs: range) -> None:
    for seq in seqs:
        env = new_envelope(world.topic, "direct", f"direct-{seq % KEYS}", plumbing.Ping(seq=seq))
        await publish(
            world.common.kafka_bootstrap_servers,
            world.topic,
            env.model_dump_json().encode(),
            key=env.aggregate_id.encode(),
        )


async def _effects_are(world: Scratch, n: int) -> bool:
    return await world.count() >= n


async def _backlog_is(service: str, n: int) -> bool:
    return gauge("avtal_outbox_backlog_events", service=service) == n


def _oldest_age(service: str) -> float:
    return gauge("avtal_outbox_oldest_age_seconds", service=service) or 0.0


def _consumer_failing(world: Scratch) -> float:
    return gauge("avtal_consumer_failing_seconds", group=world.group) or 0.0


async def _both_failing(relay: RunningRelay, consumer: RunningConsumer, at_least_s: float) -> bool:
    """Both failing for `at_least_s` (readiness's input); with 0, both healthy."""
    seconds = (relay.relay.failing_for(), consumer.consumer.failing_for())
    return all(s > at_least_s for s in seconds) if at_least_s else seconds == (0.0, 0.0)
