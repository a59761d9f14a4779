"""Price jobs (asyncpg): preview rows are kept; apply and revert execute exactly them, set-based."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg

from avtal_catalog.domain.jobs import PriceJob
from avtal_catalog.domain.prices import PriceChange, PriceEntry, PriceRule, Selection
from avtal_catalog.store import job_sql as sql
from avtal_common.errors import Conflict, NotFound

_ROW_COLUMNS = [
    "job_id",
    "entry_id",
    "new_entry_id",
    "product_id",
    "party_id",
    "currency",
    "old_price",
    "new_price",
    "old_effective_to",
]


class PriceJobRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def candidates(self, s: Selection, day: date) -> list[PriceEntry]:
        """Entries in force on `day` on the selected lists and products."""
        args = (day, _parties(s), s.category, s.manufacturer, list(s.skus))
        return [PriceEntry(*r) for r in await self._conn.fetch(sql.CANDIDATES, *args)]

    async def add(self, job: PriceJob, changes: list[PriceChange]) -> None:
        await self._conn.execute(sql.INSERT_JOB, *_job_values(job))
        rows = [_row(job, c) for c in changes]
        await self._conn.copy_records_to_table("price_job_rows", records=rows, columns=_ROW_COLUMNS)

    async def get(self, job_id: uuid.UUID, *, for_update: bool = False) -> PriceJob:
        row = await self._conn.fetchrow(sql.GET + (" FOR UPDATE" if for_update else ""), job_id)
        if row is None:
            raise NotFound(f"price job {job_id} does not exist")
        return job_of(row)

    async def list(self, limit: int, offset: int) -> tuple[list[PriceJob], int]:
        rows = await self._conn.fetch(sql.LIST, limit, offset)
        return [job_of(r) for r in rows], int(await self._conn.fetchval(sql.COUNT))

    async def rows(self, job_id: uuid.UUID, limit: int, offset: int) -> list[asyncpg.Record]:
        return list(await self._conn.fetch(sql.ROWS, job_id, limit, offset))

    async def apply(self, job: PriceJob, by: str, correlation_id: str | None) -> int:
        """Closes or changes every old entry, writes the new ones and one event per product."""
        stale = await self._conn.fetchval(sql.STALE, job.job_id)
        if stale:
            raise Conflict(f"{stale} of this job's prices changed since the preview; preview again")
        await self._conn.execute(sql.CLOSE_OLD, job.job_id, job.effective_from)
        await self._conn.execute(sql.CHANGE_IN_PLACE, job.job_id)
        await self._conn.execute(sql.INSERT_NEW, job.job_id, job.effective_from, by)
        await self._conn.execute(sql.MARK_APPLIED, job.job_id, by)
        return await self._events(job, correlation_id, reverted=False)

    async def revert(self, job: PriceJob, by: str, correlation_id: str | None) -> int:
        """Deletes the job's new entries and restores every old entry as it was before apply."""
        later = await self._conn.fetchval(sql.LATER_JOB, job.job_id)
        if later:
            raise Conflict(f"price job {later} includes prices this job wrote; revert or apply it first")
        await self._conn.execute(sql.DELETE_NEW, job.job_id)
        await self._conn.execute(sql.REOPEN_OLD, job.job_id)
        await self._conn.execute(sql.RESTORE_IN_PLACE, job.job_id)
        await self._conn.execute(sql.MARK_REVERTED, job.job_id, by)
        return await self._events(job, correlation_id, reverted=True)

    async def _events(self, job: PriceJob, correlation_id: str | None, *, reverted: bool) -> int:
        status = await self._conn.execute(
            sql.EVENTS, job.job_id, job.effective_from, correlation_id, reverted
        )
        return int(status.split()[-1])


def _parties(s: Selection) -> list[str]:
    return [code for code in (s.vendor, s.distributor) if code]


def _row(job: PriceJob, c: PriceChange) -> tuple[Any, ...]:
    e = c.entry
    new_id = uuid.uuid4() if c.splits(job.effective_from) else None
    return (
        job.job_id,
        e.entry_id,
        new_id,
        e.product_id,
        e.party_id,
        e.currency,
        e.list_price,
        c.new_price,
        e.effective_to,
    )


def _job_values(job: PriceJob) -> tuple[Any, ...]:
    rule = {"change": job.rule.change, "value": str(job.rule.value), "rounding": job.rule.rounding}
    s = job.selection
    selection = {
        "vendor": s.vendor,
        "distributor": s.distributor,
        "category": s.category,
        "manufacturer": s.manufacturer,
        "skus": list(s.skus),
    }
    impact = {k: str(v) for k, v in job.revenue_impact.items()}
    return (
        job.job_id,
        job.status,
        rule,  # the pool's jsonb codec encodes dicts
        selection,
        job.effective_from,
        job.row_count,
        impact,
        job.created_by,
    )


def job_of(row: Any) -> PriceJob:
    rule, sel, impact = (json.loads(row[k]) for k in ("rule", "selection", "revenue_impact"))
    return PriceJob(
        job_id=row["job_id"],
        status=row["status"],
        selection=Selection(
            sel.get("vendor"),
            sel.get("distributor"),
            sel.get("category"),
            sel.get("manufacturer"),
            tuple(sel.get("skus") or ()),
        ),
        rule=PriceRule(rule["change"], Decimal(rule["value"]), rule["rounding"]),
        effective_from=row["effective_from"],
        created_by=row["created_by"],
        row_count=row["row_count"],
        revenue_impact={k: Decimal(v) for k, v in impact.items()},
        created_at=row["created_at"],
        applied_by=row["applied_by"],
        applied_at=row["applied_at"],
        reverted_by=row["reverted_by"],
        reverted_at=row["reverted_at"],
    )
