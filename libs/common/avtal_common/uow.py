"""Unit of work: one PostgreSQL transaction plus the outbox events it emits."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from pydantic import BaseModel

from avtal_common.events import Envelope
from avtal_common.outbox import add_event, new_envelope


class Tx:
    """An open transaction: repositories use `conn`; `emit` queues an event in the same commit."""

    def __init__(
        self, conn: asyncpg.Connection, producer: str, causation_id: uuid.UUID | None = None
    ) -> None:
        self.conn, self.producer, self.causation_id = conn, producer, causation_id

    async def emit(
        self, topic: str, aggregate_id: str | uuid.UUID, data: BaseModel, version: int = 1
    ) -> Envelope[BaseModel]:
        env = new_envelope(topic, self.producer, aggregate_id, data, version, self.causation_id)
        await add_event(self.conn, topic, env)
        return env


@asynccontextmanager
async def unit_of_work(pool: asyncpg.Pool, producer: str) -> AsyncIterator[Tx]:
    async with pool.acquire() as conn, conn.transaction():
        yield Tx(conn, producer)
