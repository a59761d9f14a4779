"""Unit of work: one PostgreSQL transaction, the service's repositories on it, and its outbox and inbox.

Each service subclasses `UnitOfWork` and builds its repositories in `bind_repositories`
(`uow.invoices`, `uow.contracts`, …), so handlers never see a pool, a connection or SQL, and a unit
test can hand them a fake with in-memory repositories instead.
"""

from __future__ import annotations

import uuid
from types import TracebackType
from typing import Any, Self

import asyncpg
from pydantic import BaseModel

from avtal_common import inbox
from avtal_common.events import Envelope
from avtal_common.outbox import add_event, new_envelope


class Outbox:
    """Events queued in the unit's transaction; the relay publishes them after it commits."""

    def __init__(self, conn: Any, producer: str, causation_id: uuid.UUID | None) -> None:
        self._conn, self._producer, self._causation_id = conn, producer, causation_id

    async def add(
        self, topic: str, aggregate_id: str | uuid.UUID, data: BaseModel, version: int = 1
    ) -> Envelope[Any]:
        env = new_envelope(topic, self._producer, aggregate_id, data, version, self._causation_id)
        await add_event(self._conn, topic, env)
        return env


class Inbox:
    """(event_id, handler) claims in the unit's transaction: a redelivered event finds its claim."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def claim(self, event_id: uuid.UUID, handler: str, topic: str) -> bool:
        return await inbox.claim(self._conn, event_id, handler, topic)


class UnitOfWork:
    """`async with uow:` opens a transaction and binds the repositories; leaving it commits, or rolls
    back on an exception. `UnitOfWork.joined(conn, …)` binds to a transaction the caller owns
    (the event consumer's batch)."""

    def __init__(self, pool: asyncpg.Pool, producer: str) -> None:
        self._pool, self.producer = pool, producer
        self._conn: Any = None
        self._tx: Any = None

    @classmethod
    def joined(cls, conn: Any, producer: str, causation_id: uuid.UUID | None = None) -> Self:
        unit = cls.__new__(cls)
        unit._pool, unit.producer, unit._tx = None, producer, None
        unit._bind(conn, causation_id)
        return unit

    def bind_repositories(self, conn: Any) -> None:
        """Subclasses set their repositories here (`self.invoices = InvoiceRepo(conn)`)."""

    @property
    def conn(self) -> Any:
        """The open connection, for plumbing (idempotency keys) and repositories only."""
        assert self._conn is not None, "use the unit of work inside `async with`"
        return self._conn

    async def emit(
        self, topic: str, aggregate_id: str | uuid.UUID, data: BaseModel, version: int = 1
    ) -> Envelope[Any]:
        return await self.outbox.add(topic, aggregate_id, data, version)

    def _bind(self, conn: Any, causation_id: uuid.UUID | None) -> None:
        self._conn = conn
        self.outbox = Outbox(conn, self.producer, causation_id)
        self.inbox = Inbox(conn)
        self.bind_repositories(conn)

    async def __aenter__(self) -> Self:
        assert self._pool is not None, "a joined unit of work is already inside a transaction"
        conn = await self._pool.acquire()
        try:
            self._tx = conn.transaction()
            await self._tx.start()
        except BaseException:
            await self._pool.release(conn)
            raise
        self._bind(conn, None)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        conn, tx, self._conn, self._tx = self._conn, self._tx, None, None
        try:
            if exc_type is None:
                await tx.commit()
            else:
                await tx.rollback()
        finally:
            await self._pool.release(conn)


# Kept for code that still says `Tx`: an event handler's unit of work.
Tx = UnitOfWork


def unit_of_work(pool: asyncpg.Pool, producer: str) -> UnitOfWork:
    """A plain unit of work (outbox and inbox, no repositories)."""
    return UnitOfWork(pool, producer)
