"""The consumer's own rows in each service's database: batches and attempts in flight, parked events."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord

Key = tuple[uuid.UUID, str]  # (event_id, handler)

Span = tuple[str, int, int, int]  # (topic, partition, first offset, last offset) of a batch

_COUNT_BATCH = """
WITH counted AS (
    INSERT INTO consumer_batches AS b (group_id, topic, partition, first_offset, last_offset, starts)
    SELECT $1, t, p, f, l, 1 FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS s(t, p, f, l)
    ON CONFLICT (group_id, topic, partition) DO UPDATE SET
        starts = CASE WHEN AGAIN THEN b.starts + 1 ELSE 1 END,
        first_offset = CASE WHEN AGAIN THEN least(b.first_offset, EXCLUDED.first_offset)
                            ELSE EXCLUDED.first_offset END,
        last_offset = CASE WHEN AGAIN THEN greatest(b.last_offset, EXCLUDED.last_offset)
                           ELSE EXCLUDED.last_offset END,
        updated_at = now()
    RETURNING starts)
SELECT coalesce(max(starts), 0) FROM counted
""".replace(  # one condition, three times: offsets started before and not finished since
    "AGAIN",
    "(b.starts > 0 AND b.first_offset <= EXCLUDED.last_offset AND b.last_offset >= EXCLUDED.first_offset)",
)

_FINISH_BATCH = """
UPDATE consumer_batches AS b
SET starts = CASE WHEN s.l >= b.last_offset THEN 0 ELSE b.starts END,
    first_offset = greatest(b.first_offset, s.l + 1), updated_at = now()
FROM unnest($2::text[], $3::int[], $4::bigint[]) AS s(t, p, l)
WHERE b.group_id = $1 AND b.topic = s.t AND b.partition = s.p
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


def spans(records: Sequence[ConsumerRecord]) -> list[Span]:
    """The offsets a batch covers, per partition."""
    found: dict[tuple[str, int], tuple[int, int]] = {}
    for r in records:
        first, last = found.get((r.topic, r.partition), (r.offset, r.offset))
        found[(r.topic, r.partition)] = (min(first, r.offset), max(last, r.offset))
    return [(t, p, first, last) for (t, p), (first, last) in found.items()]


async def count_batch(pool: asyncpg.Pool, group: str, batch: Sequence[Span]) -> int:
    """Count one start of a batch (committed at once, so it survives a crash); returns the highest number
    of starts of its partitions' offsets: above 1, an earlier start of some of them never finished."""
    topics, partitions, firsts, lasts = (list(c) for c in zip(*batch, strict=True))
    async with pool.acquire() as conn:
        most: int = await conn.fetchval(_COUNT_BATCH, group, topics, partitions, firsts, lasts)
    return most


async def finish_batch(conn: asyncpg.Connection, group: str, batch: Sequence[Span]) -> None:
    """The batch's offsets are all settled: in its last transaction, so PostgreSQL refuses it (25P02) when
    a handler swallowed an error and left the transaction aborted, as `finish` does for one event."""
    topics, partitions, _, lasts = (list(c) for c in zip(*batch, strict=True))
    await conn.execute(_FINISH_BATCH, group, topics, partitions, lasts)


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


_RELEASE_CLAIMS = """
DELETE FROM inbox WHERE (event_id, handler) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))
"""


async def release_claims(conn: asyncpg.Connection, keys: Sequence[Key]) -> None:
    """Undo inbox claims made for a batch up front, of events that end up not applied (dead-lettered or
    left for later): a replay or a retry must find them unclaimed."""
    if keys:
        await conn.execute(_RELEASE_CLAIMS, [k[0] for k in keys], [k[1] for k in keys])


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
