"""Transactional outbox: `add_event` in the business transaction; `OutboxRelay` publishes at-least-once."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable
from typing import Any, Protocol

import asyncpg
from pydantic import BaseModel

from avtal_common import metrics
from avtal_common.events import Envelope, envelope_headers
from avtal_common.logging import current_correlation_id, get_logger

log = get_logger(__name__)

_INSERT = """
INSERT INTO outbox (event_id, topic, key, payload, headers) VALUES ($1, $2, $3, $4, $5)
"""
_CLAIM = """
SELECT id, topic, key, payload, headers FROM outbox
WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
"""
_MARK_SENT = "UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])"
_MARK_FAILED = "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1"
_BACKLOG = """
SELECT count(*) AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
FROM outbox WHERE published_at IS NULL
"""
_PURGE = "DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)"


def new_envelope(
    topic: str,
    producer: str,
    aggregate_id: str | uuid.UUID,
    data: BaseModel,
    version: int = 1,
    causation_id: uuid.UUID | None = None,
) -> Envelope[Any]:
    model: Any = Envelope[type(data)]  # type: ignore[misc]  # parametrised at run time by the payload's class
    envelope: Envelope[Any] = model(
        event_type=topic,
        producer=producer,
        aggregate_id=str(aggregate_id),
        version=version,
        data=data,
        correlation_id=current_correlation_id(),
        causation_id=causation_id,
    )
    return envelope


async def add_event(conn: asyncpg.Connection, topic: str, env: Envelope[Any]) -> None:
    """Queue `env` on `topic`; call inside the transaction that writes the business rows."""
    await conn.execute(
        _INSERT,
        env.event_id,
        topic,
        env.aggregate_id,
        env.model_dump_json().encode(),
        envelope_headers(env),
    )


class Publisher(Protocol):
    async def send(
        self, message: bytes, topic: str, *, key: bytes, headers: dict[str, str]
    ) -> Awaitable[Any]:
        """Queue one message; the returned awaitable resolves when the broker acknowledged it."""


class OutboxRelay:
    """Publishes unsent rows in id order, keyed by aggregate id, and marks them sent."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        publisher: Publisher,
        service: str,
        batch_size: int = 500,
        poll_interval_s: float = 1.0,
        retention_s: float = 86400.0,
    ) -> None:
        self._pool, self._publisher, self._service = pool, publisher, service
        self._batch_size, self._poll = batch_size, poll_interval_s
        self._retention_s = retention_s
        self._wake = asyncio.Event()
        self._last_gauge = self._last_purge = 0.0

    async def run(self) -> None:
        listener = await self._listen()
        backoff = 0.1
        try:
            while True:
                try:
                    sent = await self.publish_once()
                    await self._update_gauges()
                    backoff = 0.1
                except Exception as exc:  # noqa: BLE001 - the relay must outlive any failure
                    log.warning("outbox.relay_error", error=repr(exc), retry_in_s=backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    listener = await self._relisten(listener)
                    continue
                if sent < self._batch_size:
                    await self._wait()
        finally:
            if listener is not None:
                await self._release(listener)

    async def publish_once(self) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(_CLAIM, self._batch_size)
            if not rows:
                return 0
            sent, failed = await self._send(rows)
            for row_id, err in failed:
                await conn.execute(_MARK_FAILED, row_id, err)
            await conn.execute(_MARK_SENT, sent)
        metrics.OUTBOX_PUBLISHED.labels(self._service).inc(len(sent))
        if failed:
            raise RuntimeError(f"{len(failed)} outbox rows failed to publish; first: {failed[0][1]}")
        return len(sent)

    async def _send(self, rows: list[asyncpg.Record]) -> tuple[list[int], list[tuple[int, str]]]:
        futures = [
            await self._publisher.send(
                bytes(r["payload"]), r["topic"], key=r["key"].encode(), headers=dict(r["headers"])
            )
            for r in rows
        ]
        results = await asyncio.gather(*futures, return_exceptions=True)
        sent, failed = [], []
        for row, res in zip(rows, results, strict=True):
            if isinstance(res, BaseException):
                failed.append((row["id"], repr(res)))
            else:
                sent.append(row["id"])
        return sent, failed

    async def _update_gauges(self) -> None:
        now = time.monotonic()
        if now - self._last_gauge < 1.0:
            return
        self._last_gauge = now
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(_BACKLOG)
            if now - self._last_purge >= 60.0:  # a scan of sent rows: once a minute is plenty
                self._last_purge = now
                await conn.execute(_PURGE, self._retention_s)
        metrics.OUTBOX_BACKLOG.labels(self._service).set(row["n"])
        metrics.OUTBOX_OLDEST_AGE.labels(self._service).set(row["age"])

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _listen(self) -> asyncpg.Connection | None:
        try:
            conn = await self._pool.acquire()
            await conn.add_listener("avtal_outbox", self._on_notify)
            return conn
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return None

    async def _release(self, listener: asyncpg.Connection) -> None:
        try:
            if not listener.is_closed():
                await listener.remove_listener("avtal_outbox", self._on_notify)
        finally:
            await self._pool.release(listener)

    async def _relisten(self, listener: Any) -> Any:
        if listener is not None and not listener.is_closed():
            return listener
        if listener is not None:
            await self._release(listener)
        return await self._listen()

    async def _wait(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
        self._wake.clear()
