"""On a 3-node Apache Kafka cluster of the test's own: during a relay burst the leader of a partition is
killed (SIGKILL), then a second broker, leaving one of three (under min.insync.replicas=2). The relay
waits within its round deadline, reported failing long enough to turn readiness red, with no storm of
rounds; no acknowledged event is lost; once both brokers are back the backlog drains, every event is
applied once in per-key order and the consumer's lag returns to 0."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from avtal_common.lag import partition_lags
from avtal_common.topics import dlq
from avtal_testing import plumbing
from avtal_testing.brokers import OwnCluster
from avtal_testing.kafka import read_all
from avtal_testing.plumbing import Faults, RunningConsumer, RunningRelay, Scratch, scratch
from avtal_testing.stack import StackInfo

EVENTS, KEYS, ROUND_S = 3000, 30, 3.0
# A failed round's producer is aborted (up to 2 s for its sender task, 5 s for its stop) after the deadline.
ROUND_BOUND_S = ROUND_S + 8


async def until(probe, timeout_s: float, what: str, every_s: float = 0.1):
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if found := await probe():
            return found
        await asyncio.sleep(every_s)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
async def cluster(stack: StackInfo) -> AsyncIterator[OwnCluster]:
    if stack.kafka_profile != "kafka":
        pytest.skip(
            "needs Apache Kafka's replication (partition leaders, in-sync replicas, min.insync.replicas=2 "
            "over 3 brokers); the local profile's broker is a single memory-only Tansu with none of them"
        )
    own = OwnCluster(stack.home / f"kafka-loss-{uuid.uuid4().hex[:6]}")
    await asyncio.to_thread(own.start)
    yield own
    await asyncio.to_thread(own.close)
    shutil.rmtree(own.home, ignore_errors=True)


@pytest.fixture
async def world_on_cluster(stack: StackInfo, cluster: OwnCluster) -> AsyncIterator[Scratch]:
    w = await scratch(stack.postgres_url, cluster.bootstrap, "kafka", stack.env, replication_factor=3)
    yield w
    await w.pool.close()


class Rounds:
    """How long each relay round took and whether it failed (wraps the running relay's `publish_once`)."""

    def __init__(self, relay: RunningRelay) -> None:
        self.log: list[tuple[float, float, bool]] = []  # (ended at, seconds, failed)
        self._inner = relay.relay.publish_once
        relay.relay.publish_once = self._timed  # type: ignore[method-assign]

    async def _timed(self, conn) -> int:
        started = time.monotonic()
        try:
            done = await self._inner(conn)
        except BaseException:
            self.log.append((time.monotonic(), time.monotonic() - started, True))
            raise
        self.log.append((time.monotonic(), time.monotonic() - started, False))
        return done

    def failed_between(self, start: float, end: float) -> int:
        return sum(1 for at, _, failed in self.log if failed and start <= at <= end)


@pytest.mark.timeout(600)
async def test_losing_a_leader_then_two_of_three_brokers_mid_burst_loses_no_acked_event_and_drains_after(
    world_on_cluster: Scratch, cluster: OwnCluster
) -> None:
    w = world_on_cluster
    async with (
        RunningRelay(w.common, w.pool, round_timeout_s=ROUND_S) as relay,
        RunningConsumer(w, Faults()) as consumer,
    ):
        rounds = Rounds(relay)
        for first in range(0, EVENTS, 1000):
            await plumbing.queue_keyed(w.pool, w.topic, 1000, keys=KEYS, first_seq=first)
        await until(lambda: _published_at_least(w, 300), 60, "the relay under way", every_s=0.01)
        leader = await _leader_of_partition_0(w)
        await asyncio.to_thread(cluster.kill, leader)
        second = next(n for n in (1, 2, 3) if n != leader)
        await asyncio.to_thread(cluster.kill, second)
        outage_from = time.monotonic()
        limit = w.common.unhealthy_after_s
        await until(lambda: _relay_failing_over(relay, limit), 60, "the relay failing past readiness' limit")
        outage_to = time.monotonic()
        unsent_during = await w.count("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        acked = {str(r["event_id"]) for r in await w.pool.fetch(_ACKED)}
        for node in (leader, second):
            await asyncio.to_thread(cluster.restart, node)
        await until(lambda: _all_sent_and_applied(w), 120, "the backlog drained and every event applied")
        await until(lambda: _lag_is_zero(consumer), 60, "the consumer's lag back to 0")
        assert relay.relay.failing_for() == 0 and not relay._task.done()  # type: ignore[union-attr]
    assert unsent_during > 0, "the burst was over before the brokers went"
    slowest = max(seconds for _, seconds, _ in rounds.log)
    assert slowest <= ROUND_BOUND_S, f"a relay round took {slowest:.1f} s (deadline {ROUND_S} s)"
    storm = rounds.failed_between(outage_from, outage_to)
    # Backoff 0.1 s doubling to 2 s, each failed round bounded by its deadline: a handful per 10 s.
    assert storm <= (outage_to - outage_from) / 1.0 + 6, f"{storm} failed rounds in the outage: a storm"
    await _assert_nothing_lost_doubled_or_reordered(w, acked)


_ACKED = "SELECT event_id FROM outbox WHERE published_at IS NOT NULL"


async def _assert_nothing_lost_doubled_or_reordered(w: Scratch, acked: set[str]) -> None:
    expected = defaultdict(list)
    for r in await w.pool.fetch("SELECT key, event_id FROM outbox ORDER BY id"):
        expected[r["key"]].append(str(r["event_id"]))
    published = defaultdict(list)
    for record in await read_all(w.common.kafka_bootstrap_servers, w.topic):
        published[record.key.decode()].append(json.loads(record.value)["event_id"])
    on_topic = {e for ids in published.values() for e in ids}
    assert acked <= on_topic, f"{len(acked - on_topic)} acknowledged events lost"
    for key, ids in expected.items():
        assert list(dict.fromkeys(published[key])) == ids, f"{key} out of order on the topic"
    effects = [r["seq"] for r in await w.pool.fetch("SELECT seq FROM effects ORDER BY id")]
    assert sorted(effects) == list(range(EVENTS)), "an event lost or applied twice"
    for key in range(KEYS):
        mine = [s for s in effects if s % KEYS == key]
        assert mine == sorted(mine), f"key-{key} applied out of order"
    assert await read_all(w.common.kafka_bootstrap_servers, dlq(w.topic), idle_ms=300) == []


async def _leader_of_partition_0(w: Scratch) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=w.common.bootstrap_list)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([w.topic])
    finally:
        await admin.close()
    return next(p["leader"] for p in described["partitions"] if p["partition"] == 0)


async def _published_at_least(w: Scratch, n: int) -> bool:
    return await w.count("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL") >= n


async def _relay_failing_over(relay: RunningRelay, limit: float) -> bool:
    return relay.relay.failing_for() > limit


async def _all_sent_and_applied(w: Scratch) -> bool:
    unsent = await w.count("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    return unsent == 0 and await w.count() == EVENTS


async def _lag_is_zero(consumer: RunningConsumer) -> bool:
    kafka = consumer.consumer.subscriber.consumer
    partitions = list(kafka.assignment())
    return len(partitions) == 3 and set((await partition_lags(kafka, partitions)).values()) == {0}
