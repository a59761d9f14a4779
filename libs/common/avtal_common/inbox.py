"""Inbox: claim (event_id, handler) in the handler's own transaction so a redelivery is a no-op."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

_CLAIM = """
INSERT INTO inbox (event_id, handler, topic) VALUES ($1, $2, $3)
ON CONFLICT (event_id, handler) DO NOTHING
"""


async def claim(conn: asyncpg.Connection, event_id: uuid.UUID, handler: str, topic: str) -> bool:
    """True the first time this handler sees this event; False for a duplicate."""
    status: str = await conn.execute(_CLAIM, event_id, handler, topic)
    return status.endswith(" 1")


_CLAIM_MANY = """
INSERT INTO inbox (event_id, handler, topic)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])
ON CONFLICT (event_id, handler) DO NOTHING
RETURNING event_id, handler
"""


async def claim_many(
    conn: asyncpg.Connection, keys: Sequence[tuple[uuid.UUID, str, str]]
) -> set[tuple[uuid.UUID, str]]:
    """Claim a batch in one round trip; returns the (event_id, handler) pairs seen for the first time."""
    rows = await conn.fetch(_CLAIM_MANY, [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys])
    return {(r["event_id"], r["handler"]) for r in rows}


_PURGE = """
DELETE FROM inbox WHERE ctid = ANY(ARRAY(
    SELECT ctid FROM inbox WHERE processed_at < now() - make_interval(secs => $1) LIMIT $2
))
"""


async def purge(conn: asyncpg.Connection, older_than_s: float, limit: int = 1000) -> int:
    """Delete up to `limit` claims older than the retention period (small batches: short locks).
    A redelivery older than that is no longer recognised, so keep it well above any replay window."""
    status: str = await conn.execute(_PURGE, older_than_s, limit)
    return int(status.rsplit(" ", 1)[-1])
