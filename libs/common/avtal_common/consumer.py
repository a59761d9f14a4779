"""Event consumers: commit after the handler's transaction; every failure handled by its cause.

One FastStream batch subscriber per service and group. A batch is applied in one PostgreSQL
transaction that first claims every event in the inbox (one statement), so a redelivered event is a
no-op; when a handler fails, the batch is applied again behind a savepoint chain (`consumer_batch`).
Each event meets its own fate (`consumer_errors.Fault`): an outage is waited out, a refused event is
dead-lettered, a missing dependency is retried a while and then parked, a bug is retried N times.
Every start of a batch is counted beforehand in the database, so an event that crashes or hangs its
process is isolated after N starts across restarts. Offsets are committed (manual ack) only when every
event of the batch has been applied, dead-lettered (acknowledged) or parked.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord
from faststream import AckPolicy, Context
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from pydantic import ValidationError

from avtal_common import consumer_batch, consumer_dead_letters, consumer_state, metrics
from avtal_common.consumer_batch import Item, Run
from avtal_common.consumer_errors import Fault, HandlerTimeout, classify
from avtal_common.consumer_handlers import (
    ConsumerPolicy,
    EventHandler,
    HandlerFn,
    apply_event,
    one_handler_per_topic,
)
from avtal_common.events import Envelope, parse_envelope
from avtal_common.logging import bind_correlation_id, get_logger
from avtal_common.uow import UnitOfWork

__all__ = ["ConsumerPolicy", "EventConsumer", "EventHandler", "HandlerFn", "apply_event"]

log = get_logger(__name__)


class EventConsumer:
    def __init__(
        self,
        broker: KafkaBroker,
        pool: asyncpg.Pool,
        group_id: str,
        handlers: Sequence[EventHandler],
        batch_size: int = 200,
        fetch_max_wait_ms: int = 50,
        session_timeout_ms: int = 6000,
        unit_of_work: type[UnitOfWork] = UnitOfWork,
        policy: ConsumerPolicy | None = None,
    ) -> None:
        self._broker, self.pool, self.group_id = broker, pool, group_id
        self._unit_of_work = unit_of_work
        self._by_topic = one_handler_per_topic(handlers)
        self._batch_size, self._fetch_wait = batch_size, fetch_max_wait_ms
        self.policy = policy or ConsumerPolicy()
        self._session_timeout_ms = session_timeout_ms
        self._failing_since: float | None = None
        self._guarding = False  # a handler failed lately: batches start with the savepoint chain
        self.subscriber: Any = None
        metrics.CONSUMER_FAILING.labels(group_id).set_function(self.failing_for)

    @property
    def handlers(self) -> list[EventHandler]:
        return list(self._by_topic.values())

    def failing_for(self) -> float:
        """Seconds the consumer has been failing without a success in between; 0.0 when fine."""
        return 0.0 if self._failing_since is None else time.monotonic() - self._failing_since

    def register(self) -> None:
        self.subscriber = self._broker.subscriber(
            *self._by_topic,
            group_id=self.group_id,
            batch=True,
            max_records=self._batch_size,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=self._fetch_wait,
            batch_timeout_ms=self._fetch_wait,
            session_timeout_ms=self._session_timeout_ms,
            heartbeat_interval_ms=max(self._session_timeout_ms // 3, 500),
            decoder=_raw_decoder,
        )
        self.subscriber(self._on_batch)

    async def _on_batch(
        self,
        body: Any,
        message: KafkaMessage = Context("message"),  # noqa: B008 - FastStream injects by default value
    ) -> None:
        records = message.raw_message
        records = records if isinstance(records, tuple) else (records,)
        await self.process(records)
        await message.ack()

    async def process(self, records: Sequence[ConsumerRecord]) -> None:
        """Apply one batch; returns only when every record is applied, dead-lettered or parked, so an
        offset is never committed past an event that had no effect."""
        run: Run | None = None
        backoff = 0.2
        while True:
            pause: float | None = None  # None: back off, as for an outage
            try:
                run = run or await self._new_run(records)
                await self._count_start(run)
                await self._step(run)
                if not run.items:
                    await self._finish(run)
                    self._failing_since = None
                    return
                if not any(it.missing for it in run.items):
                    # Only bugs are left (solo), and they are retried at most max_attempts times: a growing
                    # backoff would only hold the batch's good events (already applied) uncommitted.
                    pause = self.policy.bug_retry_s
            except Exception as exc:  # noqa: BLE001 - classified; every cause is retried here
                self._failed(classify(exc), exc, records[0].topic)
            metrics.HANDLER_RETRIES.labels(self.group_id, records[0].topic).inc()
            await asyncio.sleep(backoff if pause is None else pause)
            if pause is None:
                backoff = min(backoff * 2, self.policy.max_backoff_s)

    async def _new_run(self, records: Sequence[ConsumerRecord]) -> Run:
        items = [it for r in records if (it := await self._parse(r)) is not None]
        return Run(items, consumer_state.spans(records))

    async def _count_start(self, run: Run) -> None:
        """Count the batch's start before anything runs (committed at once, so a crash leaves the count
        behind); a batch started before and never finished runs event by event."""
        if run.counted or not run.items:
            return
        if await consumer_state.count_batch(self.pool, self.group_id, run.spans) > 1:
            log.warning("consumer.unfinished_batch_isolated", group=self.group_id, events=len(run.items))
            run.mode = "solo"
        run.counted = True

    async def _step(self, run: Run) -> None:
        if not run.items:
            return  # nothing for this group's handlers, or only malformed records (dead-lettered)
        if run.mode == "solo":
            run.items = [it for it in run.items if not await self._solo(run, it)]
        elif run.mode == "batch" and not self._guarding and await consumer_batch.optimistic(self, run):
            return
        else:
            run.mode = "guarded"
            self._guarding = await consumer_batch.guarded(self, run)
        await self._settle_leftovers(run)

    async def _finish(self, run: Run) -> None:
        """Mark the batch's offsets finished, unless its last transaction did."""
        if run.counted and not run.finished:
            async with self.pool.acquire() as conn:
                await consumer_state.finish_batch(conn, self.group_id, run.spans)
            run.finished = True

    def _failed(self, fault: Fault, exc: BaseException, topic: str, retry: bool = False) -> None:
        if fault is not Fault.MISSING and self._failing_since is None:
            self._failing_since = time.monotonic()
        metrics.CONSUMER_FAULTS.labels(self.group_id, fault.value).inc()
        # The first failure is a warning; the same event failing again says nothing new until its
        # dead letter (logged with the reason), and a poison flood would spend its time logging.
        emit = log.debug if retry else log.warning
        emit("consumer.failed", group=self.group_id, topic=topic, fault=fault.value, error=repr(exc))

    async def _parse(self, record: ConsumerRecord) -> Item | None:
        handler = self._by_topic.get(record.topic)
        if handler is None:
            return None
        try:
            env = parse_envelope(record.value or b"", handler.payload)
        except ValidationError as exc:
            await self._retire(record, handler, f"schema: {consumer_dead_letters.summary(exc)}")
            return None
        return Item(record, handler, env)

    async def run_handler(
        self, uow: UnitOfWork, handler: EventHandler, env: Envelope[Any], claimed: bool = False
    ) -> str:
        """`apply_event` (inbox claim, then the handler) within the handler's deadline; only the handler
        when the batch has `claimed` the event already."""
        bind_correlation_id(env.correlation_id)
        deadline = asyncio.timeout(self.policy.handler_timeout_s)
        try:
            async with deadline:
                if claimed:
                    await handler.fn(uow, env)
                    return "handled"
                return await apply_event(uow, handler, env)
        except TimeoutError as exc:
            if deadline.expired():
                raise HandlerTimeout(f"{handler.name} ran over {self.policy.handler_timeout_s} s") from exc
            raise

    def decide(self, it: Item, exc: Exception) -> str | None:
        """Judge a failure by its cause: an outage is raised; returns the dead-letter reason of an event no
        retry will fix (refused, or failed max_attempts times), or None (retry it, now or later)."""
        fault = classify(exc)
        self._failed(fault, exc, it.record.topic, retry=it.failures > 0 and fault is Fault.BUG)
        if fault is Fault.INFRASTRUCTURE:
            raise exc
        if fault is Fault.REFUSED:
            return f"domain: {exc}"
        it.missing = fault is Fault.MISSING
        it.failures += fault is Fault.BUG
        if it.failures >= self.policy.max_attempts:
            return f"handler failed {it.failures} times: {exc!r}"
        return None

    async def _solo(self, run: Run, it: Item) -> bool:
        """The event alone, in a transaction of its own, its starts counted; True when settled."""
        if it.key not in run.solo_counted:
            starts = await consumer_state.count_solo(self.pool, it.key)
            run.solo_counted.add(it.key)
            if starts > self.policy.max_attempts:
                await self._give_up(it, f"crashed or hung its consumer {starts - 1} times")
                return True
        async with self.pool.acquire() as conn:
            try:
                async with conn.transaction():
                    outcome = await self.run_handler(self.joined(conn, it.envelope), it.handler, it.envelope)
                    await consumer_state.finish(conn, [it.key])  # refused if the handler swallowed an error
            except Exception as exc:  # noqa: BLE001 - judged by its cause in `decide`
                reason = self.decide(it, exc)
                if reason is not None:
                    await self._give_up(it, reason)
                return reason is not None
        metrics.EVENTS_HANDLED.labels(self.group_id, it.record.topic, outcome).inc()
        return True

    async def _give_up(self, it: Item, reason: str) -> None:
        await self._retire(it.record, it.handler, reason)
        async with self.pool.acquire() as conn:
            await consumer_state.finish(conn, [it.key])

    async def _retire(self, record: ConsumerRecord, handler: EventHandler, reason: str) -> None:
        """Dead-letter the record; if the broker refuses it for good (too large, not authorised), park
        it instead, visibly, rather than stall the partition retrying what cannot succeed."""
        try:
            await self.dead_letter(record, reason)
        except Exception as exc:
            if classify(exc) is Fault.INFRASTRUCTURE:
                raise
            async with self.pool.acquire() as conn:
                why = f"{reason}; dead letter refused: {exc!r}"
                await consumer_state.park(conn, handler.name, record, why)
            metrics.EVENTS_HANDLED.labels(self.group_id, record.topic, "parked").inc()

    async def _settle_leftovers(self, run: Run) -> None:
        """Events still failing are retried (the caller backs off); events whose dependency has not
        arrived within `missing_wait_s` are parked so the partition moves on."""
        missing = [it for it in run.items if it.missing]
        if not missing:
            return
        now = time.monotonic()
        run.missing_since = run.missing_since or now
        if now - run.missing_since < self.policy.missing_wait_s:
            return
        async with self.pool.acquire() as conn, conn.transaction():
            for it in missing:
                await consumer_state.park(conn, it.handler.name, it.record, "dependency not found")
            await consumer_state.finish(conn, [it.key for it in missing])
        for it in missing:
            metrics.EVENTS_HANDLED.labels(self.group_id, it.record.topic, "parked").inc()
            log.warning("consumer.parked", topic=it.record.topic, event_id=str(it.envelope.event_id))
        run.items = [it for it in run.items if it not in missing]

    def joined(self, conn: Any, env: Envelope[Any]) -> UnitOfWork:
        """The service's unit of work on the consumer's transaction, caused by `env`."""
        return self._unit_of_work.joined(conn, self.group_id, env.event_id)

    async def dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        await consumer_dead_letters.publish(self._broker, self.group_id, record, reason)

    def pending_dead_letters(self) -> consumer_dead_letters.PendingDeadLetters:
        return consumer_dead_letters.PendingDeadLetters(self._broker, self.group_id)


async def _raw_decoder(msg: Any) -> None:
    """Never decode in FastStream: parsing happens per record, so a bad one can be dead-lettered."""
    return None
