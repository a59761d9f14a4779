"""The calendar's queries (asyncpg): what is due on a day, reminders sent, index values, the run lock."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg

# Open contracts whose notice deadline (never after the term end) lies within `$2` days of `$1` or
# before it: the partial expression index contracts_open_deadline finds them without a full scan.
_WINDOW = """
SELECT contract_id, status, end_date, notice_days, auto_renew, renewed_to FROM contracts
WHERE status IN ('active', 'expiring') AND end_date - notice_days <= $1::date + $2::int
  AND ($3::uuid IS NULL OR customer_id = $3)
"""
# Due: a status move, an auto-renewal, or the latest due reminder of a basis not yet sent.
_DUE = f"""
WITH open AS ({_WINDOW}),
bases AS (
    SELECT o.contract_id, o.end_date, b.basis, b.day,
           (SELECT min(l) FROM unnest($4::int[]) AS l WHERE b.day - l <= $1::date) AS lead
    FROM open o
    CROSS JOIN LATERAL (VALUES ('term_end', o.end_date), ('notice_deadline', o.end_date - o.notice_days))
        AS b(basis, day)
    WHERE b.day >= $1::date AND (b.basis = 'term_end' OR o.notice_days > 0)
)
SELECT contract_id FROM open
WHERE end_date < $1::date
   OR (status = 'active' AND end_date - notice_days - $5::int <= $1::date)
   OR (auto_renew AND renewed_to IS NULL AND end_date <= $1::date)
UNION
SELECT contract_id FROM bases b
WHERE b.lead IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM contract_reminders r
    WHERE r.contract_id = b.contract_id AND r.term_end = b.end_date AND r.basis = b.basis
      AND r.lead_days = b.lead
)
"""
_REMIND = """
INSERT INTO contract_reminders (contract_id, term_end, basis, lead_days, due_on, sent_on)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
"""
_SENT = """
SELECT basis, lead_days, due_on, sent_on FROM contract_reminders
WHERE contract_id = $1 ORDER BY term_end, due_on
"""
_INDEX_ADD = """
INSERT INTO index_values (name, period, value, entered_by) VALUES ($1, $2, $3, $4)
ON CONFLICT (name, period) DO UPDATE SET value = EXCLUDED.value, entered_by = EXCLUDED.entered_by,
    entered_at = now()
RETURNING name, period, value, entered_by, entered_at
"""
_INDEX_LIST = """
SELECT name, period, value, entered_by, entered_at FROM index_values
WHERE ($1::text IS NULL OR name = $1) ORDER BY name, period
"""
_INDEX_GET = "SELECT value FROM index_values WHERE name = $1 AND period = $2"
# One calendar run at a time per database (replicas wait, then find nothing left to do).
_LOCK_KEY = 0x617674616C_0008


class CalendarRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def due(
        self, today: date, leads: tuple[int, ...], expiring_days: int, customer_id: uuid.UUID | None
    ) -> list[uuid.UUID]:
        """Contracts the run of `today` has something to do for, by id."""
        window = max((*leads, expiring_days))
        rows = await self._conn.fetch(_DUE, today, window, customer_id, list(leads), expiring_days)
        return sorted(r["contract_id"] for r in rows)

    async def record_reminder(
        self, contract_id: uuid.UUID, term_end: date, basis: str, lead: int, due_on: date, today: date
    ) -> bool:
        """True when this reminder was not sent before (the caller sends it in this transaction)."""
        done = await self._conn.execute(_REMIND, contract_id, term_end, basis, lead, due_on, today)
        return bool(done == "INSERT 0 1")

    async def reminders(self, contract_id: uuid.UUID) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_SENT, contract_id)]


class IndexRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def put(self, name: str, period: int, value: Decimal, actor: str) -> dict[str, Any]:
        return dict(await self._conn.fetchrow(_INDEX_ADD, name, period, value, actor))

    async def list(self, name: str | None) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_INDEX_LIST, name)]

    async def value(self, name: str, period: int) -> Decimal | None:
        found = await self._conn.fetchval(_INDEX_GET, name, period)
        return None if found is None else Decimal(found)


@asynccontextmanager
async def run_lock(pool: asyncpg.Pool) -> AsyncIterator[None]:
    """Serialises calendar runs across processes; correctness does not rest on it (each contract is
    locked and rechecked, each reminder has a unique key), it only saves a replica doing the work twice."""
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
        try:
            yield
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
