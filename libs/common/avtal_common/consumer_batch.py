"""Applying a batch: one transaction when every handler goes through; after a failure, one pass with a
savepoint before each event, in which a failing event is retried at once and dead-lettered in place.

The clean case costs one inbox statement and one closing statement per batch. When a handler fails, the
transaction is rolled back and the batch applied again from its start behind a savepoint chain (one
extra round trip per event: RELEASE and SAVEPOINT in one message): every good event takes effect once,
in that pass; a failing one is rolled back to its savepoint and tried again until it goes through, has
failed `max_attempts` times (dead-lettered), or waits for a dependency (set aside, retried later). The
pass's dead letters are sent together and acknowledged before its transaction commits, so its offsets
are never committed past an event that neither took effect nor reached `<topic>.dlq`. A consumer that
met a failure starts its next batches with the savepoint chain until one passes cleanly: a poison flood
does not pay for a failed optimistic pass each batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import asyncpg
from aiokafka import ConsumerRecord

from avtal_common import consumer_state, inbox, metrics
from avtal_common.consumer_dead_letters import PendingDeadLetters
from avtal_common.consumer_errors import Fault, classify
from avtal_common.consumer_handlers import ConsumerPolicy, EventHandler
from avtal_common.events import Envelope
from avtal_common.logging import get_logger
from avtal_common.uow import UnitOfWork

log = get_logger(__name__)

_NEXT = "RELEASE SAVEPOINT event; SAVEPOINT event"  # refused (25P02) when a handler left the tx aborted
_UNDO = "ROLLBACK TO SAVEPOINT event"


@dataclass
class Item:
    record: ConsumerRecord
    handler: EventHandler
    envelope: Envelope[Any]
    failures: int = 0  # in this process, of a bug's kind
    missing: bool = False  # its last try found a dependency missing
    dead_reason: str | None = None  # judged beyond retry already (in the optimistic pass)

    @property
    def key(self) -> consumer_state.Key:
        return (self.envelope.event_id, self.handler.name)


@dataclass
class Run:
    """One delivery of a batch in this process, until every event in it is settled."""

    items: list[Item]
    spans: list[consumer_state.Span]
    counted: bool = False
    # batch (optimistic, then guarded) → guarded (a savepoint chain) or solo (a transaction per event)
    mode: str = "batch"
    missing_since: float | None = None
    solo_counted: set[consumer_state.Key] = field(default_factory=set)
    finished: bool = False  # its spans are marked finished


class Applier(Protocol):
    """What the passes need of the consumer."""

    pool: asyncpg.Pool
    group_id: str
    policy: ConsumerPolicy

    def joined(self, conn: Any, env: Envelope[Any]) -> UnitOfWork: ...

    async def run_handler(
        self, uow: UnitOfWork, handler: EventHandler, env: Envelope[Any], claimed: bool = False
    ) -> str: ...

    def decide(self, it: Item, exc: Exception) -> str | None: ...

    def pending_dead_letters(self) -> PendingDeadLetters: ...


async def optimistic(c: Applier, run: Run) -> bool:
    """The whole batch in one transaction, claimed in the inbox with one statement; False (nothing kept)
    when a handler failed, the failure counted against its event. An outage is raised."""
    outcomes: list[str] = []
    try:
        async with c.pool.acquire() as conn, conn.transaction():
            fresh = await inbox.claim_many(conn, _claims(run.items))
            for it in run.items:
                try:
                    outcomes.append(await _once(c, conn, it, fresh))
                except Exception as exc:
                    raise _HandlerFailed(it, exc) from exc
            await consumer_state.finish_batch(conn, c.group_id, run.spans)
    except Exception as exc:  # noqa: BLE001 - an outage is raised again in `_blame`
        _blame(c, exc)
        return False
    _count(c, run.items, outcomes)
    run.items, run.finished = [], True
    return True


def _blame(c: Applier, exc: Exception) -> None:
    """An outage is raised (the batch is retried as it is); a handler's own failure counts as one of its
    attempts; a refusal in an aborted transaction blames nobody (an earlier handler swallowed an error)."""
    cause = exc.cause if isinstance(exc, _HandlerFailed) else exc
    if classify(cause) is Fault.INFRASTRUCTURE:
        raise cause from None
    log.info("consumer.batch_guarded", group=c.group_id, error=repr(cause))
    if isinstance(exc, _HandlerFailed) and not isinstance(cause, asyncpg.InFailedSQLTransactionError):
        exc.item.dead_reason = c.decide(exc.item, cause)


async def guarded(c: Applier, run: Run) -> bool:
    """Every event behind a savepoint, in one transaction; returns whether any failed. Keeps in
    `run.items` only the events set aside (a dependency missing), to be retried later."""
    dead = c.pending_dead_letters()
    outcomes: list[str] = []
    async with c.pool.acquire() as conn, conn.transaction():
        fresh = await inbox.claim_many(conn, _claims(run.items))
        await conn.execute("SAVEPOINT event")
        for it in run.items:
            outcomes.append(await _guarded_one(c, conn, it, fresh, dead))
        parked = await _settle_dead_letters(conn, dead)
        unapplied = [it for it, o in zip(run.items, outcomes, strict=True) if o in ("aside", "dead_lettered")]
        await consumer_state.release_claims(conn, [it.key for it in unapplied])
        left = [it for it, o in zip(run.items, outcomes, strict=True) if o == "aside"]
        if not left:
            await consumer_state.finish_batch(conn, c.group_id, run.spans)
    _count(c, run.items, outcomes)
    for record in parked:
        metrics.EVENTS_HANDLED.labels(c.group_id, record.topic, "parked").inc()
    failed = bool(unapplied) or any(it.failures for it in run.items)
    run.items, run.finished = left, not left
    return failed


async def _guarded_one(
    c: Applier, conn: asyncpg.Connection, it: Item, fresh: set[consumer_state.Key], dead: PendingDeadLetters
) -> str:
    """One event in the savepoint chain: 'handled', 'duplicate', 'dead_lettered' or 'aside'."""
    if it.key not in fresh:
        return "duplicate"
    fresh.discard(it.key)
    while it.dead_reason is None:
        try:
            outcome = await c.run_handler(c.joined(conn, it.envelope), it.handler, it.envelope, claimed=True)
            await conn.execute(_NEXT)
            return outcome
        except Exception as exc:  # noqa: BLE001 - judged by its cause in `decide` (an outage is raised)
            await conn.execute(_UNDO)
            it.dead_reason = c.decide(it, exc)
            if it.missing:
                return "aside"
    await dead.send(it.record, it.dead_reason, it.handler.name)
    return "dead_lettered"


async def _settle_dead_letters(conn: asyncpg.Connection, dead: PendingDeadLetters) -> list[ConsumerRecord]:
    """Wait for the pass's dead letters; park (in the pass's transaction) those the broker refused for good
    rather than stall the partition retrying what cannot succeed."""
    refused = await dead.acknowledged()
    for record, reason, handler, exc in refused:
        await consumer_state.park(conn, handler, record, f"{reason}; dead letter refused: {exc!r}")
    return [record for record, *_ in refused]


async def _once(c: Applier, conn: asyncpg.Connection, it: Item, fresh: set[consumer_state.Key]) -> str:
    if it.key not in fresh:
        return "duplicate"
    fresh.discard(it.key)  # the same event twice in one batch takes effect once
    return await c.run_handler(c.joined(conn, it.envelope), it.handler, it.envelope, claimed=True)


def _claims(items: Sequence[Item]) -> list[tuple[Any, str, str]]:
    return [(*it.key, it.record.topic) for it in items]


def _count(c: Applier, items: Sequence[Item], outcomes: Sequence[str]) -> None:
    for it, outcome in zip(items, outcomes, strict=False):
        if outcome not in ("aside", "dead_lettered"):  # a dead letter counts once acknowledged
            metrics.EVENTS_HANDLED.labels(c.group_id, it.record.topic, outcome).inc()


class _HandlerFailed(Exception):
    """A handler's failure within the optimistic pass, with its event."""

    def __init__(self, item: Item, cause: Exception) -> None:
        super().__init__(repr(cause))
        self.item, self.cause = item, cause
