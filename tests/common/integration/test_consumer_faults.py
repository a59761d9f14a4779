"""Consumer faults on the real broker and PostgreSQL: poison, a crashing handler, a swallowed error,
a missing dependency. Each ends with nothing lost, nothing doubled, only the intended dead letters."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Awaitable, Callable

import pytest
from prometheus_client import REGISTRY

from avtal_common.consumer import ConsumerPolicy
from avtal_common.topics import dlq
from avtal_testing import plumbing
from avtal_testing.kafka import header, read_all
from avtal_testing.plumbing import Faults, RunningConsumer, RunningRelay, Scratch


async def _wait_for(probe: Callable[[], Awaitable[object]], what: str, timeout_s: float = 45) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await probe():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")
        await asyncio.sleep(0.1)


async def _effects(world: Scratch) -> list[int]:
    async with world.pool.acquire() as conn:
        return sorted(r["seq"] for r in await conn.fetch("SELECT seq FROM effects"))


async def _dead_seqs(world: Scratch) -> dict[int, str]:
    """Seq → dead-letter reason, for every record on the scratch topic's dead-letter topic."""
    records = await read_all(world.common.kafka_bootstrap_servers, dlq(world.topic), idle_ms=300)
    return {json.loads(r.value)["data"]["seq"]: header(r, "dlq.reason") or "" for r in records}


def _metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_poison_message_every_tenth_is_dead_lettered_after_bounded_retries_and_the_rest_applied(
    world: Scratch,
) -> None:
    policy = ConsumerPolicy(max_attempts=3, max_backoff_s=0.5)
    async with (
        RunningRelay(world.common, world.pool),
        RunningConsumer(world, Faults(poison_every=10), policy),
    ):
        await plumbing.queue_events(world.pool, world.topic, 100)
        await _wait_for(lambda: _count_is(world, 90), "the 90 good events")
        await _wait_for(lambda: _dead_count_is(world, 10), "the 10 poison events in the DLQ")
        await asyncio.sleep(0.5)  # (a late double would land now; the asserts below would see it)
    assert await _effects(world) == [s for s in range(100) if s % 10 != 9]
    dead = await _dead_seqs(world)
    assert sorted(dead) == list(range(9, 100, 10))
    assert all(reason.startswith("handler failed 3 times: RuntimeError") for reason in dead.values())
    assert _metric("avtal_consumer_dead_letters_total", group=world.group, topic=world.topic) == 10


async def _count_is(world: Scratch, n: int) -> bool:
    return await world.count() >= n


async def _dead_count_is(world: Scratch, n: int) -> bool:
    return len(await _dead_seqs(world)) >= n


@pytest.mark.timeout(120)
async def test_a_handler_that_crashes_its_process_is_isolated_after_n_restarts_and_the_partition_moves_on(
    world: Scratch,
) -> None:
    """The attempt is counted before the handler runs, in its own transaction, so it survives the crash;
    with --max-attempts 2 the event is dead-lettered by the third process that meets it."""
    relay = world.spawn("relay")
    consumers: list[subprocess.Popen[bytes]] = []
    try:
        await plumbing.queue_events(world.pool, world.topic, 40)
        while await world.count() < 39:
            if not consumers or consumers[-1].poll() is not None:
                assert len(consumers) <= 4, "the crashing event was never isolated"
                consumers.append(world.spawn("consume", "--crash-on", "13", "--max-attempts", "2"))
            await asyncio.sleep(0.2)
        await _wait_for(lambda: _dead_count_is(world, 1), "the crashing event in the DLQ")
        await asyncio.sleep(0.5)
        assert consumers[-1].poll() is None, "the last consumer runs on"
    finally:
        for proc in [relay, *consumers]:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert [c.returncode for c in consumers[:-1]] == [3] * (len(consumers) - 1)
    assert len(consumers) == 4  # batch start, two solo starts, then isolated by the fourth process
    assert await _effects(world) == [s for s in range(40) if s != 13]
    dead = await _dead_seqs(world)
    assert list(dead) == [13] and dead[13].startswith("crashed or hung its consumer 2 times")


async def test_a_handler_that_swallows_a_database_error_fails_its_event_instead_of_committing_nothing(
    world: Scratch,
) -> None:
    """The swallowed error leaves the transaction aborted, so COMMIT would silently roll the whole
    batch back while its offsets moved on: the batch must fail and only the culprit be dead-lettered."""
    policy = ConsumerPolicy(max_attempts=2, max_backoff_s=0.5)
    async with RunningRelay(world.common, world.pool), RunningConsumer(world, Faults(swallow_on=3), policy):
        await plumbing.queue_events(world.pool, world.topic, 20)
        await _wait_for(lambda: _count_is(world, 19), "every other event's effect")
        await _wait_for(lambda: _dead_count_is(world, 1), "the culprit in the DLQ")
    assert await _effects(world) == [s for s in range(20) if s != 3]
    dead = await _dead_seqs(world)
    assert list(dead) == [3] and "InFailedSQLTransactionError" in dead[3]


async def test_a_missing_dependency_is_retried_then_parked_and_applied_once_it_arrives(
    world: Scratch,
) -> None:
    policy = ConsumerPolicy(missing_wait_s=1.0, parked_retry_s=0.3, max_backoff_s=0.3)
    async with world.pool.acquire() as conn:
        await conn.executemany("INSERT INTO dependencies VALUES ($1)", [(s,) for s in (0, 1, 2, 5, 6)])
    relay, consumer = (
        RunningRelay(world.common, world.pool),
        RunningConsumer(world, Faults(needs_dependency=True), policy),
    )
    async with relay, consumer:
        await plumbing.queue_events(world.pool, world.topic, 5)  # 3 and 4 wait for their dependency
        await _wait_for(lambda: _parked_is(world, 2), "events 3 and 4 to be parked")
        await plumbing.queue_events(world.pool, world.topic, 2, first=5)
        await _wait_for(lambda: _count_is(world, 5), "the events behind the parked ones")
        await _wait_for(lambda: _gauge_is(world, 2), "the parked gauge to show them")
        async with world.pool.acquire() as conn:
            await conn.executemany("INSERT INTO dependencies VALUES ($1)", [(3,), (4,)])
        await _wait_for(lambda: _parked_is(world, 0), "the parked events to be applied")
        await _wait_for(lambda: _gauge_is(world, 0), "the parked gauge to go back to 0")
        await asyncio.sleep(0.5)
    assert await _effects(world) == [0, 1, 2, 3, 4, 5, 6]
    assert await _dead_seqs(world) == {}


async def _parked_is(world: Scratch, n: int) -> bool:
    return await world.count("SELECT count(*) FROM parked_events") == n


async def _gauge_is(world: Scratch, n: int) -> bool:
    return _metric("avtal_consumer_parked_events", group=world.group, topic=world.topic) == n
