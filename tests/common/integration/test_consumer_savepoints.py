"""A handler that writes and then fails, on the real broker and PostgreSQL: its writes are rolled back to
the savepoint before it, each attempt, while the events around it in the same batch take effect once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from prometheus_client import REGISTRY

from avtal_common.consumer import ConsumerPolicy, EventConsumer, EventHandler
from avtal_common.events import Envelope
from avtal_common.kafka import make_broker
from avtal_common.uow import Tx
from avtal_testing import plumbing
from avtal_testing.plumbing import Ping, RunningRelay, Scratch

BAD = (3, 4, 11)  # two poison events side by side, and one further on


def writes_then_fails(topic: str) -> EventHandler:
    async def record(tx: Tx, event: Envelope[Ping]) -> None:
        await tx.conn.execute(
            "INSERT INTO effects (event_id, seq) VALUES ($1, $2)", event.event_id, event.data.seq
        )
        if event.data.seq in BAD:
            raise RuntimeError(f"fails after writing, seq {event.data.seq}")

    return EventHandler(topic, Ping, "plumbing.record", record)


async def test_a_handler_that_wrote_before_failing_leaves_nothing_and_its_neighbours_apply_once(
    world: Scratch,
) -> None:
    broker = make_broker(world.common, f"test-{world.group}")
    EventConsumer(
        broker,
        world.pool,
        world.group,
        [writes_then_fails(world.topic)],
        batch_size=50,
        fetch_max_wait_ms=50,
        session_timeout_ms=world.common.kafka_session_timeout_ms,
        policy=ConsumerPolicy(max_attempts=3),
    ).register()
    await plumbing.queue_events(world.pool, world.topic, 20)  # all published before the consumer joins
    async with RunningRelay(world.common, world.pool):
        await _until(lambda: _published(world), "the relay to publish all 20")
    await broker.start()
    try:
        await _until(lambda: _dead_lettered(world, len(BAD)), "the failing events' dead letters")
        await _until(lambda: _at_least(world, 20 - len(BAD)), "the good events' effects")
    finally:
        await broker.stop()
    effects = sorted(r["seq"] for r in await world.pool.fetch("SELECT seq FROM effects"))
    assert effects == [s for s in range(20) if s not in BAD]  # no write of a failed try, none twice
    claimed = await world.pool.fetchval("SELECT count(*) FROM inbox")
    assert claimed == 20 - len(BAD), "a dead-lettered event stays unclaimed, so a replay can apply it"


async def _until(probe: Callable[[], Awaitable[bool]], what: str, timeout_s: float = 45) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await probe():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def _published(world: Scratch) -> bool:
    return await world.count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0


async def _at_least(world: Scratch, n: int) -> bool:
    return await world.count() >= n


async def _dead_lettered(world: Scratch, n: int) -> bool:
    value = REGISTRY.get_sample_value(
        "avtal_consumer_dead_letters_total", {"group": world.group, "topic": world.topic}
    )
    return (value or 0) >= n
