"""Inbox: claim (event_id, handler) in the handler's own transaction so a redelivery is a no-op."""

from __future__ import annotations

import uuid

import asyncpg

_CLAIM = """
INSERT INTO inbox (event_id, handler, topic) VALUES ($1, $2, $3)
ON CONFLICT (event_id, handler) DO NOTHING
"""


async def claim(conn: asyncpg.Connection, event_id: uuid.UUID, handler: str, topic: str) -> bool:
    """True the first time this handler sees this event; False for a duplicate."""
    status = await conn.execute(_CLAIM, event_id, handler, topic)
    return status.endswith(" 1")
