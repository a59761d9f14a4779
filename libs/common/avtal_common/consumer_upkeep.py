"""A consumer's background upkeep: re-apply parked events, purge the inbox after its retention period."""

from __future__ import annotations

import asyncio

import asyncpg

from avtal_common import consumer_state, inbox, metrics
from avtal_common.consumer import EventConsumer, EventHandler
from avtal_common.consumer_errors import Fault, classify
from avtal_common.events import parse_envelope
from avtal_common.logging import get_logger

log = get_logger(__name__)

_PURGE_BATCH = 1000


async def maintain(consumer: EventConsumer, purge_every_s: float = 600.0) -> None:
    """Run both loops for as long as the consumer lives."""
    await asyncio.gather(reapply_parked_forever(consumer), purge_inbox_forever(consumer, purge_every_s))


async def reapply_parked_forever(consumer: EventConsumer) -> None:
    while True:
        await asyncio.sleep(consumer.policy.parked_retry_s)
        try:
            await reapply_parked(consumer)
            await refresh_parked_gauges(consumer)
        except Exception as exc:  # noqa: BLE001 - retried on the next pass; the gauges show what stays
            log.warning("consumer.parked_pass_failed", group=consumer.group_id, error=repr(exc))


async def reapply_parked(consumer: EventConsumer, limit: int = 100) -> int:
    """Try the parked events again (least recently tried first); returns how many were settled."""
    by_name = {h.name: h for h in consumer.handlers}
    rows = await consumer_state.parked_due(consumer.pool, list(by_name), limit)
    settled = 0
    for row in rows:
        settled += await _reapply(consumer, by_name[row["handler"]], row)
    return settled


async def _reapply(consumer: EventConsumer, handler: EventHandler, row: asyncpg.Record) -> bool:
    record = consumer_state.as_record(row)
    try:
        env = parse_envelope(record.value, handler.payload)
        async with consumer.pool.acquire() as conn, conn.transaction():
            outcome = await consumer.run_handler(consumer.joined(conn, env), handler, env)
            await consumer_state.unpark(conn, row["id"])  # with the effect, or not at all
    except Exception as exc:  # noqa: BLE001 - judged by its cause below
        return await _still_failing(consumer, row, exc)
    metrics.EVENTS_HANDLED.labels(consumer.group_id, record.topic, f"unparked_{outcome}").inc()
    log.info("consumer.unparked", topic=record.topic, event_id=str(env.event_id), outcome=outcome)
    return True


async def _still_failing(consumer: EventConsumer, row: asyncpg.Record, exc: Exception) -> bool:
    fault = classify(exc)
    if fault is Fault.REFUSED:  # it arrived and refused: that is for the dead-letter topic
        await consumer.dead_letter(consumer_state.as_record(row), f"domain: {exc}")
        async with consumer.pool.acquire() as conn:
            await consumer_state.unpark(conn, row["id"])
        return True
    await consumer_state.still_parked(consumer.pool, row["id"], f"{fault.value}: {exc!r}")
    return False


async def refresh_parked_gauges(consumer: EventConsumer) -> None:
    counts = await consumer_state.parked_counts(consumer.pool, [h.name for h in consumer.handlers])
    for h in consumer.handlers:
        count, age = counts.get(h.topic, (0, 0.0))
        metrics.CONSUMER_PARKED.labels(consumer.group_id, h.topic).set(count)
        metrics.CONSUMER_PARKED_OLDEST_AGE.labels(consumer.group_id, h.topic).set(age)


async def purge_inbox_forever(consumer: EventConsumer, every_s: float) -> None:
    while True:
        try:
            await purge_inbox(consumer)
        except Exception as exc:  # noqa: BLE001 - the next pass catches up
            log.warning("consumer.inbox_purge_failed", group=consumer.group_id, error=repr(exc))
        await asyncio.sleep(every_s)


async def purge_inbox(consumer: EventConsumer) -> int:
    """Delete claims older than the retention period in small batches (short locks, little WAL each)."""
    total = 0
    while True:
        async with consumer.pool.acquire() as conn:
            deleted = await inbox.purge(conn, consumer.policy.inbox_retention_s, _PURGE_BATCH)
        total += deleted
        metrics.INBOX_PURGED.labels(consumer.group_id).inc(deleted)
        if deleted < _PURGE_BATCH:
            return total
        await asyncio.sleep(0.05)  # let the consumer's own transactions in between
