"""The consumer's own rows in each service's database: attempts in flight and parked events."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord

Key = tuple[uuid.UUID, str]  # (event_id, handler)

_COUNT_DELIVERY = """
WITH counted AS (
    INSERT INTO consumer_attempts (event_id, handler, deliveries)
    SELECT DISTINCT e, h, 1 FROM unnest($1::uuid[], $2::text[]) AS k(e, h)  -- an event may come twice
    ON CONFLICT (event_id, handler)
    DO UPDATE SET deliveries = consumer_attempts.deliveries + 1, updated_at = now()
    RETURNING deliveries)
SELECT coalesce(max(deliveries), 0) FROM counted
"""

_COUNT_SOLO = """
INSERT INTO consumer_attempts (event_id, handler, solo_attempts) VALUES ($1, $2, 1)
ON CONFLICT (event_id, handler)
DO UPDATE SET solo_attempts = consumer_attempts.solo_attempts + 1, updated_at = now()
RETURNING solo_attempts
"""

_CLEAR = """
DELETE FROM consumer_attempts WHERE (event_id, handler) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))
"""


async def count_delivery(pool: asyncpg.Pool, keys: Sequence[Key]) -> int:
    """Count one start of a batch (committed at once, so it survives a crash); returns the highest
    number of starts of any of its events: above 1, an earlier start never finished."""
    async with pool.acquire() as conn:
        most: int = await conn.fetchval(_COUNT_DELIVERY, [k[0] for k in keys], [k[1] for k in keys])
    return most


async def count_solo(pool: asyncpg.Pool, key: Key) -> int:
    """Count one start of a single event in isolation; returns how many there have been."""
    async with pool.acquire() as conn:
        count: int = await conn.fetchval(_COUNT_SOLO, *key)
    return count


async def finish(conn: asyncpg.Connection, keys: Sequence[Key]) -> None:
    """The last statement of an event's transaction: clears its attempts. PostgreSQL refuses it (25P02)
    when a handler swallowed an error and left the transaction aborted, so the batch fails instead of
    COMMIT silently rolling back while the offsets move on."""
    await conn.execute(_CLEAR, [k[0] for k in keys], [k[1] for k in keys])


_PARK = """
INSERT INTO parked_events (handler, topic, partition, "offset", key, value, headers, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8)  -- text: with or without a jsonb codec
ON CONFLICT (topic, partition, "offset", handler) DO UPDATE SET reason = EXCLUDED.reason
"""


async def park(conn: asyncpg.Connection, handler: str, record: ConsumerRecord, reason: str) -> None:
    headers = {k: (v or b"").decode(errors="replace") for k, v in (record.headers or ())}
    await conn.execute(
        _PARK,
        handler,
        record.topic,
        record.partition,
        record.offset,
        record.key,
        record.value or b"",
        json.dumps(headers),
        reason[:2000],
    )


_DUE = """
SELECT * FROM parked_events WHERE handler = ANY($1::text[])
ORDER BY coalesce(retried_at, parked_at) LIMIT $2
"""


async def parked_due(pool: asyncpg.Pool, handlers: Sequence[str], limit: int) -> list[asyncpg.Record]:
    """The parked events least recently tried first (each pass moves them to the back)."""
    async with pool.acquire() as conn:
        return list(await conn.fetch(_DUE, list(handlers), limit))


async def unpark(conn: asyncpg.Connection, parked_id: int) -> None:
    await conn.execute("DELETE FROM parked_events WHERE id = $1", parked_id)


_STILL_PARKED = """
UPDATE parked_events SET attempts = attempts + 1, retried_at = now(), reason = $2 WHERE id = $1
"""


async def still_parked(pool: asyncpg.Pool, parked_id: int, reason: str) -> None:
    async with pool.acquire() as conn:
        await conn.execute(_STILL_PARKED, parked_id, reason[:2000])


_COUNTS = """
SELECT topic, count(*) AS n, extract(epoch FROM now() - min(parked_at))::float8 AS age
FROM parked_events WHERE handler = ANY($1::text[]) GROUP BY topic
"""


async def parked_counts(pool: asyncpg.Pool, handlers: Sequence[str]) -> dict[str, tuple[int, float]]:
    """Per topic: parked events and the age of the oldest, in seconds."""
    async with pool.acquire() as conn:
        rows = await conn.fetch(_COUNTS, list(handlers))
    return {r["topic"]: (r["n"], r["age"]) for r in rows}


def as_record(row: asyncpg.Record) -> Any:
    """A parked row in the shape of the record it was, for the handler and the dead-letter path."""
    stored = row["headers"]
    stored = json.loads(stored) if isinstance(stored, str) else stored  # with or without a jsonb codec
    headers = [(k, str(v).encode()) for k, v in stored.items()]
    return ConsumerRecord(
        row["topic"], row["partition"], row["offset"], 0, 0, row["key"], row["value"], None, 0, 0, headers
    )
