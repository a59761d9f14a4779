"""The outbox relay: one active relay per database publishes unsent rows in id order, keyed by aggregate.

Any number of replicas may run it. Each holds one dedicated connection; the replica that gets the
session-level advisory lock on it publishes, the others stand by and retry the lock every
`standby_poll_s` (PostgreSQL frees it the moment the holder's session ends: crash, kill, terminate,
or a keepalive timeout). One publisher per database is what keeps each key in order.

A round reads rows on that connection (no transaction, no row locks: nobody else publishes), sends them
with no database transaction open, waits for the acks within a deadline, then marks them in one short
statement. While a full round waits for its acks, the next one is read (the rows in flight excluded), so
rounds follow each other without a read in between; its rows are sent only once the round before has
settled, and read again if that round failed or quarantined a row. LISTEN runs on the same
connection, so losing it loses the lock too and both come back together.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import asyncpg

from avtal_common import metrics
from avtal_common.logging import get_logger
from avtal_common.outbox_publish import Outcome, Publisher, Row, publish_rows

log = get_logger(__name__)

CHANNEL = "avtal_outbox"
LOCK_KEY = 0x41565452  # "AVTR"; the migration runner's lock is "AVTA"

_TRY_LOCK = "SELECT pg_try_advisory_lock($1)"
_CLAIM = """
SELECT o.id, o.topic, o.key, o.payload, o.headers FROM outbox o
WHERE o.published_at IS NULL AND o.quarantined_at IS NULL
  AND NOT EXISTS (
      SELECT 1 FROM outbox q
      WHERE q.key = o.key AND q.id < o.id AND q.quarantined_at IS NOT NULL AND q.published_at IS NULL)
  AND o.id <> ALL($2::bigint[])  -- the rows of the round in flight, when reading ahead
ORDER BY o.id LIMIT $1
"""
_MARK_SENT = """
UPDATE outbox SET published_at = now(), last_attempt_at = now(), attempts = attempts + 1
WHERE id = ANY($1::bigint[])"""
_MARK_FAILED = """
UPDATE outbox o SET attempts = o.attempts + 1, last_attempt_at = now(), last_error = f.error,
    quarantined_at = CASE WHEN $3 THEN now() END
FROM unnest($1::bigint[], $2::text[]) AS f(id, error) WHERE o.id = f.id"""


class RelayConnectionLost(ConnectionError):
    """The relay's own connection (its lock and LISTEN) is gone; it reconnects and competes again."""


class PublishFailed(RuntimeError):
    """Rows were not published this round (broker down, deadline missed); the lock is kept, and the
    round is retried after a backoff."""


class OutboxRelay:
    """Publishes this database's outbox while it holds the relay lock; `failing_for()` feeds readiness."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        publisher: Publisher,
        service: str,
        batch_size: int = 500,
        poll_interval_s: float = 1.0,
        round_timeout_s: float = 10.0,
        standby_poll_s: float = 0.5,
    ) -> None:
        self._pool, self._publisher, self._service = pool, publisher, service
        self._batch_size, self._poll = batch_size, poll_interval_s
        self._round_timeout, self._standby_poll = round_timeout_s, standby_poll_s
        self._wake = asyncio.Event()
        self._failing_since: float | None = None
        self._ahead: list[Row] = []  # the next round, read while the last one waited for its acks
        self.active = False

    def failing_for(self) -> float:
        """Seconds this relay has been failing without a success in between (0.0 when fine)."""
        return 0.0 if self._failing_since is None else time.monotonic() - self._failing_since

    async def run(self) -> None:
        backoff = _Backoff()
        while True:
            started = time.monotonic()
            try:
                await self._serve()
            except Exception as exc:  # noqa: BLE001 - the relay must outlive any failure
                self._failing()
                if time.monotonic() - started > 30:
                    backoff.reset()  # it served a while: a fresh loss, reconnect at once
                delay = backoff.next()
                log.warning("outbox.relay_lost", service=self._service, error=repr(exc), retry_in_s=delay)
                await asyncio.sleep(delay)

    async def _serve(self) -> None:
        conn = await self._pool.acquire()
        try:
            conn.add_termination_listener(self._on_lost)
            await conn.add_listener(CHANNEL, self._on_notify)
            await self._lead(conn)
        finally:
            self._set_active(False)
            await self._let_go(conn)

    async def _lead(self, conn: asyncpg.Connection) -> None:
        """Stand by until this relay holds the lock, then publish until something breaks."""
        while not await conn.fetchval(
            "SELECT pg_try_advisory_lock($1)", LOCK_KEY, timeout=self._round_timeout
        ):
            self._healthy()  # a standby waiting its turn is fine
            await asyncio.sleep(self._standby_poll)
        self._set_active(True)
        self._ahead = []  # read under an earlier lock, maybe published by another relay since
        log.info("outbox.relay_active", service=self._service)
        backoff = _Backoff()
        while True:
            if conn.is_closed():
                raise RelayConnectionLost("the relay connection closed")
            try:
                done = await self.publish_once(conn)
            except PublishFailed as exc:
                delay = backoff.next()
                log.warning("outbox.publish_failed", service=self._service, error=str(exc), retry_in_s=delay)
                await asyncio.sleep(delay)
                continue
            backoff.reset()
            if done < self._batch_size:
                await self._wait()

    async def publish_once(self, conn: asyncpg.Connection) -> int:
        """One round on the lock holder's connection; returns how many rows it took care of."""
        rows, self._ahead = self._ahead or await self._read(conn, []), []
        if not rows:
            self._healthy()
            return 0
        sending = asyncio.create_task(self._publish(rows))
        try:
            ahead = await self._read(conn, rows) if len(rows) == self._batch_size else []
        except BaseException:
            sending.cancel()  # its rows stay unmarked and are sent again, as after any failed round
            raise
        outcome = await sending
        await self._record(conn, outcome)
        if outcome.ok and not outcome.quarantined:
            self._ahead = ahead  # else read again: the rows behind a failed or quarantined row must wait
        if not outcome.ok:
            await self._reset_publisher()
            self._failing()
            raise PublishFailed(f"{len(outcome.failed)} rows not published; first: {_first(outcome)}")
        self._healthy()
        return len(outcome.sent) + len(outcome.quarantined)

    async def _read(self, conn: asyncpg.Connection, in_flight: list[Row]) -> list[Row]:
        ids = [r.id for r in in_flight]
        return [_row(r) for r in await conn.fetch(_CLAIM, self._batch_size, ids, timeout=self._round_timeout)]

    async def _publish(self, rows: list[Row]) -> Outcome:
        return await publish_rows(self._publisher, rows, self._round_timeout)

    async def _record(self, conn: asyncpg.Connection, outcome: Outcome) -> None:
        if outcome.sent:
            await conn.execute(_MARK_SENT, outcome.sent, timeout=self._round_timeout)
            metrics.OUTBOX_PUBLISHED.labels(self._service).inc(len(outcome.sent))
        for rows, quarantine in ((outcome.failed, False), (outcome.quarantined, True)):
            if rows:
                ids, errors = [i for i, _ in rows], [e for _, e in rows]
                await conn.execute(_MARK_FAILED, ids, errors, quarantine, timeout=self._round_timeout)
        metrics.OUTBOX_PUBLISH_FAILURES.labels(self._service).inc(len(outcome.failed))
        for row_id, error in outcome.quarantined:
            # Staff see it in /outbox/quarantined and avtal_outbox_quarantined; its key's later rows wait.
            log.error("outbox.row_quarantined", service=self._service, outbox_id=row_id, error=error)

    async def _reset_publisher(self) -> None:
        reset = getattr(self._publisher, "reset", None)  # a plain producer adapter has nothing to reset
        if reset is not None:
            await reset()

    def _healthy(self) -> None:
        self._failing_since = None

    def _failing(self) -> None:
        if self._failing_since is None:
            self._failing_since = time.monotonic()

    def _set_active(self, active: bool) -> None:
        self.active = active
        metrics.OUTBOX_RELAY_ACTIVE.labels(self._service).set(1 if active else 0)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    def _on_lost(self, *_: object) -> None:
        self._wake.set()  # a waiting relay notices at once, not after its poll interval

    async def _wait(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
        self._wake.clear()

    async def _let_go(self, conn: asyncpg.Connection) -> None:
        """Back to the pool, whose reset runs UNLISTEN and pg_advisory_unlock_all; a broken one is closed."""
        if conn.is_closed():
            await self._pool.release(conn)
            return
        conn.remove_termination_listener(self._on_lost)
        try:
            await asyncio.wait_for(conn.remove_listener(CHANNEL, self._on_notify), timeout=5)
            await asyncio.wait_for(self._pool.release(conn), timeout=5)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            conn.terminate()  # its session ends, and with it the lock


class _Backoff:
    """0.1 s doubling to 2 s: short enough that the relay is back within seconds of the broker."""

    def __init__(self) -> None:
        self._next = 0.1

    def next(self) -> float:
        delay, self._next = self._next, min(self._next * 2, 2.0)
        return delay

    def reset(self) -> None:
        self._next = 0.1


def _row(r: Any) -> Row:
    return Row(r["id"], r["topic"], r["key"], bytes(r["payload"]), dict(r["headers"]))


def _first(outcome: Outcome) -> str:
    return outcome.failed[0][1] if outcome.failed else "the producer missed the round's deadline"
