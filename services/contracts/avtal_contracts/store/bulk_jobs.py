"""Bulk jobs (asyncpg): the job, one row per selected contract, and the claim of work by workers."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import asyncpg

from avtal_common.errors import NotFound
from avtal_contracts.store.contracts import COLUMNS
from avtal_contracts.store.search import Selection, where

_JOB_COLUMNS = (
    "job_id, kind, params, selection, state, total, applied, failed, impact, undo_of, undone_by, actor, "
    "created_at, finished_at"
)
_ADD_JOB = """
INSERT INTO bulk_jobs (job_id, kind, params, selection, actor, undo_of) VALUES ($1, $2, $3, $4, $5, $6)
"""
_SET_TOTAL = "UPDATE bulk_jobs SET total = $2 WHERE job_id = $1"
_GET = f"SELECT {_JOB_COLUMNS} FROM bulk_jobs WHERE job_id = $1"
_LIST = f"SELECT {_JOB_COLUMNS} FROM bulk_jobs ORDER BY created_at DESC LIMIT $1 OFFSET $2"
_COUNT = "SELECT count(*) FROM bulk_jobs"
_OPEN = "SELECT job_id FROM bulk_jobs WHERE state <> 'done' ORDER BY created_at LIMIT 20"
# Two workers never take the same contract: a taken row stays locked until its batch commits (and is
# then no longer pending); a worker skips rows another holds.
_CLAIM = """
SELECT seq, contract_id FROM bulk_job_items WHERE job_id = $1 AND state = 'pending'
ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED
"""
_RECORD = """
UPDATE bulk_job_items i SET state = r.state, reason = r.reason, summary = r.summary, impact = r.impact,
    version_after = r.version_after
FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::int[])
    AS r(seq, state, reason, summary, impact, version_after)
WHERE i.job_id = $1 AND i.seq = r.seq
"""
_COUNTERS = """
UPDATE bulk_jobs SET state = 'running', applied = applied + $2, failed = failed + $3, impact = impact + $4
WHERE job_id = $1
"""
_FINISH = """
UPDATE bulk_jobs SET state = 'done', finished_at = now()
WHERE job_id = $1 AND state <> 'done'
  AND NOT EXISTS (SELECT 1 FROM bulk_job_items WHERE job_id = $1 AND state = 'pending')
"""
_ITEMS = """
SELECT seq, contract_id, contract_no, state, reason, summary, impact, version_after
FROM bulk_job_items WHERE job_id = $1 AND ($2::text IS NULL OR state = $2) ORDER BY seq LIMIT $3 OFFSET $4
"""
_COUNT_ITEMS = "SELECT count(*) FROM bulk_job_items WHERE job_id = $1 AND ($2::text IS NULL OR state = $2)"
_APPLIED = """
SELECT i.contract_id, i.version_after, a.before FROM bulk_job_items i
JOIN audit_log a ON a.contract_id = i.contract_id AND a.version = i.version_after
WHERE i.job_id = $1 AND i.contract_id = ANY($2::uuid[]) AND i.state = 'applied'
"""
_UNDO_ITEMS = """
INSERT INTO bulk_job_items (job_id, seq, contract_id, contract_no)
SELECT $1, seq, contract_id, contract_no FROM bulk_job_items WHERE job_id = $2 AND state = 'applied'
"""
_LOCK = f"SELECT {COLUMNS} FROM contracts WHERE contract_id = ANY($1::uuid[]) ORDER BY contract_id FOR UPDATE"
_MARK_UNDONE = "UPDATE bulk_jobs SET undone_by = $2 WHERE job_id = $1 AND undone_by IS NULL"


@dataclass(frozen=True)
class BulkJob:
    job_id: uuid.UUID
    kind: str
    params: dict[str, Any]
    selection: dict[str, Any]
    state: str
    total: int
    applied: int
    failed: int
    impact: Decimal
    undo_of: uuid.UUID | None
    undone_by: uuid.UUID | None
    actor: str
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class Outcome:
    """One contract's result in a job."""

    seq: int
    state: str  # 'applied' or 'failed'
    reason: str | None = None
    summary: str | None = None
    impact: Decimal | None = None
    version_after: int | None = None


class BulkJobRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, job: BulkJob, s: Selection, today: date, expiring_days: int) -> int:
        """The job and one pending row per selected contract (by number); returns how many."""
        await self._insert(job)
        clause, params = where(s, today, expiring_days)
        n = len(params)
        done = await self._conn.execute(
            "INSERT INTO bulk_job_items (job_id, seq, contract_id, contract_no) "
            f"SELECT ${n + 1}, row_number() OVER (ORDER BY c.contract_no), c.contract_id, c.contract_no "
            f"FROM contracts c {clause}",
            *params,
            job.job_id,
        )
        total = int(done.split()[-1])
        await self._conn.execute(_SET_TOTAL, job.job_id, total)
        return total

    async def add_undo(self, job: BulkJob) -> int:
        """An undo job over the contracts `job.undo_of` applied."""
        await self._insert(job)
        done = await self._conn.execute(_UNDO_ITEMS, job.job_id, job.undo_of)
        total = int(done.split()[-1])
        await self._conn.execute(_SET_TOTAL, job.job_id, total)
        await self._conn.execute(_MARK_UNDONE, job.undo_of, job.job_id)
        return total

    async def _insert(self, job: BulkJob) -> None:
        await self._conn.execute(
            _ADD_JOB, job.job_id, job.kind, job.params, job.selection, job.actor, job.undo_of
        )

    async def get(self, job_id: uuid.UUID) -> BulkJob:
        row = await self._conn.fetchrow(_GET, job_id)
        if row is None:
            raise NotFound(f"bulk job {job_id} does not exist")
        return BulkJob(**dict(row))

    async def list_jobs(self, limit: int, offset: int) -> tuple[list[BulkJob], int]:
        rows = await self._conn.fetch(_LIST, limit, offset)
        return [BulkJob(**dict(r)) for r in rows], int(await self._conn.fetchval(_COUNT))

    async def open_jobs(self) -> list[uuid.UUID]:
        return [r["job_id"] for r in await self._conn.fetch(_OPEN)]

    async def claim(self, job_id: uuid.UUID, limit: int) -> dict[uuid.UUID, int]:
        """Up to `limit` pending contracts of the job nobody else holds: contract id → its row."""
        return {r["contract_id"]: r["seq"] for r in await self._conn.fetch(_CLAIM, job_id, limit)}

    async def lock_contracts(self, ids: list[uuid.UUID]) -> list[asyncpg.Record]:
        """The contracts' rows (for `ContractRepo.load`), locked until the batch commits; in id order,
        so two workers never wait on each other crosswise."""
        return list(await self._conn.fetch(_LOCK, ids))

    async def record(self, job_id: uuid.UUID, outcomes: list[Outcome]) -> None:
        rows = [(o.seq, o.state, o.reason, o.summary, o.impact, o.version_after) for o in outcomes]
        await self._conn.execute(_RECORD, job_id, *[list(col) for col in zip(*rows, strict=True)])
        applied = [o for o in outcomes if o.state == "applied"]
        impact = sum((o.impact or Decimal(0) for o in applied), Decimal(0))
        await self._conn.execute(_COUNTERS, job_id, len(applied), len(outcomes) - len(applied), impact)

    async def finish(self, job_id: uuid.UUID) -> bool:
        return bool(await self._conn.execute(_FINISH, job_id) == "UPDATE 1")

    async def items(
        self, job_id: uuid.UUID, state: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        rows = await self._conn.fetch(_ITEMS, job_id, state, limit, offset)
        total = await self._conn.fetchval(_COUNT_ITEMS, job_id, state)
        return [dict(r) for r in rows], int(total)

    async def applied(self, job_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[int, Any]]:
        """What `job_id` left on these contracts: the version after, and the snapshot before as the
        audit entry of that version keeps it."""
        rows = await self._conn.fetch(_APPLIED, job_id, ids)
        return {r["contract_id"]: (r["version_after"], _json(r["before"])) for r in rows}


def _json(v: Any) -> Any:
    return json.loads(v) if isinstance(v, str) else v
