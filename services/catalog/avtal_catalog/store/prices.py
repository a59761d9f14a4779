"""Price entries: dated prices on a party's list, history kept (asyncpg)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import asyncpg

from avtal_catalog.domain.prices import PriceEntry, overlap_message
from avtal_common.errors import Conflict

_COLUMNS = "entry_id, party_id, product_id, currency, list_price, cost, effective_from, effective_to, job_id"
_INSERT = f"""
INSERT INTO price_entries ({_COLUMNS}, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
"""
_OVERLAPPING = f"""
SELECT {_COLUMNS} FROM price_entries
WHERE party_id = $1 AND product_id = $2 AND effective && daterange($3, $4, '[]') LIMIT 1
"""
_HISTORY = """
SELECT e.entry_id, e.party_id, e.product_id, e.currency, e.list_price, e.cost, e.effective_from,
       e.effective_to, e.job_id, p.code AS party_code, p.kind AS party_kind, p.name AS party_name,
       e.created_by, e.created_at
FROM price_entries e JOIN parties p USING (party_id)
WHERE e.product_id = $1
ORDER BY p.kind DESC, p.code, e.effective_from DESC
"""
_AT = """
SELECT p.code AS party_code, p.kind AS party_kind, e.currency, e.list_price
FROM price_entries e JOIN parties p USING (party_id)
WHERE e.product_id = $1 AND e.effective @> $2::date ORDER BY p.kind DESC, p.code
"""


@dataclass(frozen=True)
class HistoryRow:
    """A price entry with its list's name, for the product's price history."""

    entry: PriceEntry
    party_code: str
    party_kind: str
    party_name: str
    created_by: str


class PriceEntryRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, e: PriceEntry, by: str) -> None:
        """Refused with a 409 naming the other entry's dates when the dates overlap another."""
        args = (e.party_id, e.product_id, e.effective_from, e.effective_to)
        try:
            async with self._conn.transaction():  # a savepoint, so the overlap can be looked up after
                await self._conn.execute(_INSERT, *_values(e), by)
        except asyncpg.ExclusionViolationError:
            other = await self._conn.fetchrow(_OVERLAPPING, *args)
            raise Conflict(overlap_message(_entry(other)) if other else "overlapping price") from None

    async def history(self, product_id: uuid.UUID) -> list[HistoryRow]:
        rows = await self._conn.fetch(_HISTORY, product_id)
        return [
            HistoryRow(_entry(r), r["party_code"], r["party_kind"], r["party_name"], r["created_by"])
            for r in rows
        ]

    async def prices_at(self, product_id: uuid.UUID, day: date) -> list[asyncpg.Record]:
        return list(await self._conn.fetch(_AT, product_id, day))


def _values(e: PriceEntry) -> tuple[object, ...]:
    return (
        e.entry_id,
        e.party_id,
        e.product_id,
        e.currency,
        e.list_price,
        e.cost,
        e.effective_from,
        e.effective_to,
        e.job_id,
    )


def _entry(row: asyncpg.Record) -> PriceEntry:
    return PriceEntry(*(row[c.strip()] for c in _COLUMNS.split(",")))
