"""Transactional outbox: `add_event` in the business transaction; `OutboxRelay` publishes at-least-once."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from pydantic import BaseModel

from avtal_common.events import Envelope, envelope_headers
from avtal_common.logging import current_correlation_id
from avtal_common.outbox_publish import Publisher
from avtal_common.outbox_relay import OutboxRelay

__all__ = ["OutboxRelay", "Publisher", "add_event", "new_envelope"]

_INSERT = """
INSERT INTO outbox (event_id, topic, key, payload, headers) VALUES ($1, $2, $3, $4, $5)
"""


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


async def add_events(conn: asyncpg.Connection, topic: str, envelopes: list[Envelope[Any]]) -> None:
    """Queue many envelopes on `topic` in one round trip (set-based writers: imports, bulk jobs)."""
    await conn.executemany(
        _INSERT,
        [
            (e.event_id, topic, e.aggregate_id, e.model_dump_json().encode(), envelope_headers(e))
            for e in envelopes
        ],
    )


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
