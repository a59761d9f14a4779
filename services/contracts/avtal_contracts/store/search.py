"""Contract selection (asyncpg): the filters of the contracts list and of bulk jobs, as one WHERE clause."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import asyncpg

from avtal_contracts.store.contracts import COLUMNS

# The status the calendar gives a contract on {today} (domain.contracts.effective_status, in SQL) with
# {days} the expiring days, so filters agree with what the list shows before the daily job has run.
STATUS_SQL = """(CASE
    WHEN c.status NOT IN ('active', 'expiring') THEN c.status
    WHEN {today}::date > c.end_date THEN 'expired'
    WHEN {today}::date >= LEAST(c.end_date, c.end_date - c.notice_days) - {days}::int THEN 'expiring'
    ELSE 'active' END)"""


@dataclass(frozen=True)
class Selection:
    """Which contracts: every given filter must match (none given: all contracts)."""

    customer_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    sku: str | None = None
    vendor: str | None = None
    end_from: date | None = None
    end_to: date | None = None
    status: str | None = None
    contract_nos: tuple[str, ...] = ()
    contract_ids: tuple[uuid.UUID, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in self.__dict__.items():
            if v is None or v == ():
                continue
            out[k] = [str(x) for x in v] if isinstance(v, tuple) else str(v)
        return out


def where(s: Selection, today: date, expiring_days: int) -> tuple[str, list[Any]]:
    """The WHERE clause over `contracts c` and its parameters (`today` and `expiring_days` give the
    calendar's status)."""
    params: list[Any] = []
    clauses: list[str] = []

    def arg(value: Any) -> str:
        params.append(value)
        return f"${len(params)}"

    if s.customer_id is not None:
        clauses.append(f"c.customer_id = {arg(s.customer_id)}")
    if s.end_from is not None:
        clauses.append(f"c.end_date >= {arg(s.end_from)}")
    if s.end_to is not None:
        clauses.append(f"c.end_date <= {arg(s.end_to)}")
    if s.status is not None:
        status = STATUS_SQL.format(today=arg(today), days=arg(expiring_days))
        clauses.append(f"{status} = {arg(s.status)}")
    if s.contract_nos:
        clauses.append(f"c.contract_no = ANY({arg(list(s.contract_nos))}::text[])")
    if s.contract_ids:
        clauses.append(f"c.contract_id = ANY({arg(list(s.contract_ids))}::uuid[])")
    clauses += _line_filters(s, arg)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "WHERE true", params


def _line_filters(s: Selection, arg: Any) -> list[str]:
    """Site, SKU and vendor: some line of the contract covers such an item or product."""
    inner: list[str] = []
    if s.site_id is not None:
        inner.append(f"i.site_id = {arg(s.site_id)}")
    if s.sku is not None:
        inner.append(f"l.sku = {arg(s.sku)}")
    if s.vendor is not None:
        inner.append(f"p.vendor = {arg(s.vendor)}")
    if not inner:
        return []
    return [
        "EXISTS (SELECT 1 FROM contract_lines l JOIN covered_items i USING (item_id) "
        "JOIN products p ON p.product_id = l.product_id "
        f"WHERE l.contract_id = c.contract_id AND {' AND '.join(inner)})"
    ]


_PREFIXED = ", ".join(f"c.{col.strip()}" for col in COLUMNS.split(","))


class ContractSearchRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def search(
        self, s: Selection, today: date, expiring_days: int, limit: int, offset: int
    ) -> tuple[list[asyncpg.Record], int]:
        return await search(self._conn, s, today, expiring_days, limit, offset)

    async def open_end_dates(self, s: Selection, today: date, expiring_days: int) -> list[date]:
        return await open_end_dates(self._conn, s, today, expiring_days)


async def search(
    conn: asyncpg.Connection, s: Selection, today: date, expiring_days: int, limit: int, offset: int
) -> tuple[list[asyncpg.Record], int]:
    """One page of matching contract rows (for `ContractRepo.load`) by number, and the total."""
    clause, params = where(s, today, expiring_days)
    n = len(params)
    rows = await conn.fetch(
        f"SELECT {_PREFIXED} FROM contracts c {clause} ORDER BY c.contract_no LIMIT ${n + 1} OFFSET ${n + 2}",
        *params,
        limit,
        offset,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM contracts c {clause}", *params)
    return list(rows), int(total)


async def open_end_dates(
    conn: asyncpg.Connection, s: Selection, today: date, expiring_days: int
) -> list[date]:
    """The earliest and latest end date of the selection's open contracts (co-terminate's modes)."""
    clause, params = where(s, today, expiring_days)
    row = await conn.fetchrow(
        f"SELECT min(c.end_date), max(c.end_date) FROM contracts c {clause} "
        "AND c.status IN ('draft', 'active', 'expiring')",
        *params,
    )
    return [d for d in (row[0], row[1]) if d is not None]
