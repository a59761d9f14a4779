"""Event consumers: commit after the handler's transaction, retry transient failures, dead-letter the rest.

One FastStream batch subscriber per service and group. Each batch is applied in one PostgreSQL
transaction that first claims every event in the inbox (one statement), so a redelivered event is a
no-op; if a handler refuses an event, the batch is redone with a savepoint per event and only that one
is dead-lettered. Offsets are committed (manual ack) only after the transaction has committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaError
from faststream import AckPolicy, Context
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from pydantic import BaseModel, ValidationError

from avtal_common import inbox, metrics
from avtal_common.errors import DomainError
from avtal_common.events import Envelope, parse_envelope
from avtal_common.logging import bind_correlation_id, get_logger
from avtal_common.topics import dlq
from avtal_common.uow import UnitOfWork

log = get_logger(__name__)

HandlerFn = Callable[[Any, Envelope[Any]], Awaitable[None]]  # (the service's unit of work, event)

# Failures of infrastructure: retried with backoff for as long as they last (the partition waits).
TRANSIENT = (
    OSError,
    KafkaError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    asyncio.TimeoutError,
)


@dataclass(frozen=True)
class EventHandler:
    topic: str
    payload: type[BaseModel]
    name: str  # the inbox key, e.g. "billing.on_contract_created"
    fn: HandlerFn  # runs inside the transaction, after the inbox claim


async def apply_event(uow: Any, handler: EventHandler, envelope: Envelope[Any]) -> str:
    """Claim the event in the inbox, then run the handler; a second delivery changes nothing."""
    if not await uow.inbox.claim(envelope.event_id, handler.name, handler.topic):
        return "duplicate"
    await handler.fn(uow, envelope)
    return "handled"


@dataclass
class _Item:
    record: ConsumerRecord
    handler: EventHandler
    envelope: Envelope[Any]


class EventConsumer:
    def __init__(
        self,
        broker: KafkaBroker,
        pool: asyncpg.Pool,
        group_id: str,
        handlers: Sequence[EventHandler],
        batch_size: int = 200,
        fetch_max_wait_ms: int = 50,
        max_attempts: int = 5,
        session_timeout_ms: int = 6000,
        unit_of_work: type[UnitOfWork] = UnitOfWork,
    ) -> None:
        self._broker, self._pool, self.group_id = broker, pool, group_id
        self._unit_of_work = unit_of_work
        self._by_topic = {h.topic: h for h in handlers}
        self._batch_size, self._fetch_wait = batch_size, fetch_max_wait_ms
        self._max_attempts = max_attempts
        self._session_timeout_ms = session_timeout_ms
        self.subscriber: Any = None

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
        """Apply one batch; returns only when every record is applied or dead-lettered, so an
        offset is never committed past an event that had no effect."""
        items: list[_Item] | None = None
        attempt, backoff = 0, 0.2
        while True:
            try:
                if items is None:
                    items = [it for r in records if (it := await self._parse(r)) is not None]
                if attempt < self._max_attempts:
                    await self._apply(items)
                else:
                    await self._apply_isolated(items)
                return
            except TRANSIENT as exc:
                log.warning("consumer.transient_failure", group=self.group_id, error=repr(exc))
            except Exception as exc:  # noqa: BLE001 - a bug or bad data: retry, then isolate
                attempt += 1
                log.warning("consumer.handler_failed", group=self.group_id, attempt=attempt, error=repr(exc))
            metrics.HANDLER_RETRIES.labels(self.group_id, records[0].topic).inc()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)

    async def _parse(self, record: ConsumerRecord) -> _Item | None:
        handler = self._by_topic.get(record.topic)
        if handler is None:
            return None
        try:
            env = parse_envelope(record.value or b"", handler.payload)
        except ValidationError as exc:
            await self._dead_letter(record, f"schema: {_short(exc)}")
            return None
        return _Item(record, handler, env)

    async def _apply(self, items: list[_Item]) -> None:
        """The whole batch in one transaction; if a handler refuses an event, redo the batch with a
        savepoint per event so only the refused one is dead-lettered."""
        try:
            outcomes = await self._apply_fast(items)
        except DomainError:
            outcomes = await self._apply_guarded(items)
        for topic, outcome in outcomes:
            metrics.EVENTS_HANDLED.labels(self.group_id, topic, outcome).inc()

    async def _apply_fast(self, items: list[_Item]) -> list[tuple[str, str]]:
        outcomes = []
        async with self._pool.acquire() as conn, conn.transaction():
            fresh = await inbox.claim_many(
                conn, [(it.envelope.event_id, it.handler.name, it.record.topic) for it in items]
            )
            for it in items:
                key = (it.envelope.event_id, it.handler.name)
                if key not in fresh:
                    outcomes.append((it.record.topic, "duplicate"))
                    continue
                fresh.discard(key)  # the same event twice in one batch takes effect once
                bind_correlation_id(it.envelope.correlation_id)
                await it.handler.fn(self._joined(conn, it), it.envelope)
                outcomes.append((it.record.topic, "handled"))
        return outcomes

    async def _apply_guarded(self, items: list[_Item]) -> list[tuple[str, str]]:
        dead: list[tuple[ConsumerRecord, str]] = []
        outcomes: list[tuple[str, str]] = []
        async with self._pool.acquire() as conn, conn.transaction():
            for it in items:
                try:
                    outcomes.append((it.record.topic, await self._apply_one(conn, it)))
                except DomainError as exc:
                    dead.append((it.record, f"domain: {exc}"))
            for record, reason in dead:
                await self._dead_letter(record, reason)
        return outcomes

    async def _apply_one(self, conn: asyncpg.Connection, it: _Item) -> str:
        bind_correlation_id(it.envelope.correlation_id)
        async with conn.transaction():  # a savepoint: a refused event leaves the batch intact
            return await apply_event(self._joined(conn, it), it.handler, it.envelope)

    def _joined(self, conn: Any, it: _Item) -> UnitOfWork:
        return self._unit_of_work.joined(conn, self.group_id, it.envelope.event_id)

    async def _apply_isolated(self, items: list[_Item]) -> None:
        """After repeated batch failures: one transaction per event; a failing event is dead-lettered."""
        for it in items:
            try:
                await self._apply([it])  # an event applied before is a duplicate now: a no-op
            except TRANSIENT:
                raise
            except Exception as exc:  # noqa: BLE001 - this one event is the poison
                await self._dead_letter(it.record, f"handler failed {self._max_attempts} times: {exc!r}")

    async def _dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        headers = {k: (v or b"").decode(errors="replace") for k, v in (record.headers or ())}
        headers.update(
            {
                "dlq.reason": reason[:2000],
                "dlq.original_topic": record.topic,
                "dlq.original_partition": str(record.partition),
                "dlq.original_offset": str(record.offset),
                "dlq.group": self.group_id,
            }
        )
        await self._broker.publish(record.value or b"", dlq(record.topic), key=record.key, headers=headers)
        metrics.EVENTS_HANDLED.labels(self.group_id, record.topic, "dead_lettered").inc()
        log.error(
            "consumer.dead_lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=reason[:500],
        )


async def _raw_decoder(msg: Any) -> None:
    """Never decode in FastStream: parsing happens per record, so a bad one can be dead-lettered."""
    return None


def _short(exc: ValidationError) -> str:
    errs = exc.errors()[:5]
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in errs)
