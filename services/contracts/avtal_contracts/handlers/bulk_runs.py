"""Bulk jobs as use cases: preview (writes nothing), start, undo, and a worker's batch."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import asyncpg

from avtal_common.errors import Conflict, DomainError
from avtal_common.logging import bind_correlation_id
from avtal_common.payloads.contracts import BulkJobFailure, BulkJobFinished
from avtal_common.topics import BULK_JOB_FINISHED
from avtal_contracts.domain.bulk import Change, renewal_change, split, split_groups
from avtal_contracts.domain.contracts import Contract
from avtal_contracts.handlers.bulk import (
    FAST_KINDS,
    UNDOABLE,
    Context,
    StartBulkJob,
    _apply_one,
    apply_each,
    apply_fast,
    previous_of,
    resolve_params,
)
from avtal_contracts.handlers.renewals import preview_renewal
from avtal_contracts.store.bulk_jobs import BulkJob
from avtal_contracts.store.search import Selection
from avtal_contracts.store.uow import ContractsUnitOfWork

NewUnit = Callable[[], ContractsUnitOfWork]


@dataclass(frozen=True)
class PreviewRow:
    contract_id: uuid.UUID
    contract_no: str
    ok: bool
    summary: str | None
    impact: Decimal
    reason: str | None


@dataclass(frozen=True)
class Preview:
    params: dict[str, object]
    total: int  # contracts selected
    rows: list[PreviewRow]  # the page previewed
    impact: Decimal  # of the page's changes


def _job(cmd: StartBulkJob, params: dict[str, object], undo_of: uuid.UUID | None = None) -> BulkJob:
    now = None
    return BulkJob(
        uuid.uuid4(), cmd.kind, params, cmd.selection.as_json(), "queued", 0, 0, 0, Decimal(0), undo_of,
        None, cmd.actor, now, None,  # type: ignore[arg-type]  # created_at is the database's
    )  # fmt: skip


async def preview_bulk_job(
    uow: ContractsUnitOfWork, cmd: StartBulkJob, today: date, days: int, limit: int, offset: int
) -> Preview:
    """Per contract of one page of the selection: what would change and its revenue impact. It runs
    every change inside a savepoint it rolls back, so nothing is written and the coverage checks of
    the real apply (another contract covering the item) show here too."""
    params = await resolve_params(uow, cmd, today, days)
    rows, total = await uow.search.search(cmd.selection, today, days, limit, offset)
    ctx = Context(_job(cmd, params), today)
    if cmd.kind in ("reorganise", "merge"):
        ctx.target = await uow.contracts.get(uuid.UUID(str(params["target_id"])))
    found, target = [], ctx.target
    for c in await uow.contracts.load(rows):
        ctx.target = target  # each previewed alone: the rollback leaves the target as it was
        try:
            change = await _rehearse(uow, ctx, c)
            found.append(PreviewRow(c.contract_id, c.contract_no, True, change.summary, change.impact, None))
        except (DomainError, asyncpg.PostgresError) as exc:
            found.append(PreviewRow(c.contract_id, c.contract_no, False, None, Decimal(0), str(exc)))
    impact = sum((r.impact for r in found), Decimal(0))
    return Preview(params, total, found, impact)


async def _rehearse(uow: ContractsUnitOfWork, ctx: Context, c: Contract) -> Change:
    """The change as the job would make it, in a savepoint rolled back. A renewal or a split is only
    computed: numbering new contracts would use up contract numbers."""
    if ctx.job.kind == "renew":
        if c.renewed_to is not None:
            raise DomainError(f"contract {c.contract_no} is already renewed")
        return renewal_change(c, (await preview_renewal(uow, c.contract_id))[1])
    if ctx.job.kind == "split":
        p = ctx.job.params
        when = date.fromisoformat(str(p["effective_date"]))
        count = len(split_groups(c, str(p["split_by"]), when)) - 1
        return split(c, str(p["split_by"]), when, ["(a new number)"] * count)[0]
    tx = uow.conn.transaction()
    await tx.start()
    try:
        return await _apply_one(uow, ctx, c)
    finally:
        await tx.rollback()


async def start_bulk_job(uow: ContractsUnitOfWork, cmd: StartBulkJob, today: date, days: int) -> BulkJob:
    """The job with one pending row per selected contract; workers apply it in the background."""
    params = await resolve_params(uow, cmd, today, days)
    job = _job(cmd, params)
    total = await uow.bulk_jobs.add(job, cmd.selection, today, days)
    if total == 0:
        raise DomainError("the selection matches no contract")
    return await uow.bulk_jobs.get(job.job_id)


async def undo_bulk_job(uow: ContractsUnitOfWork, job_id: uuid.UUID, actor: str) -> BulkJob:
    """A job that gives each contract the original job changed its values back, as a new amendment;
    contracts changed since are refused (reported per contract)."""
    original = await uow.bulk_jobs.get(job_id)
    if original.kind not in UNDOABLE:
        raise DomainError(f"a {original.kind} job cannot be undone here (only {UNDOABLE})")
    if original.state != "done":
        raise Conflict("the job is still running: undo it when it is done")
    if original.undone_by is not None:
        raise Conflict(f"the job was already undone by {original.undone_by}")
    cmd = StartBulkJob("undo", Selection(), {"undo_of": str(job_id)}, actor)
    job = _job(cmd, dict(cmd.params), undo_of=job_id)
    await uow.bulk_jobs.add_undo(job)
    return await uow.bulk_jobs.get(job.job_id)


async def run_batch(new_unit: NewUnit, job_id: uuid.UUID, limit: int, today: date | None = None) -> int:
    """Apply the job to up to `limit` contracts no other worker holds; returns how many it took (0:
    nothing left to take). The set-based path first; if its flush fails (a race, a coverage clash) the
    same batch again one contract at a time."""
    day = today or date.today()
    bind_correlation_id(f"bulk-{job_id}")
    try:
        async with new_unit() as uow:
            return await _batch(uow, job_id, limit, day, fast=True)
    except (Conflict, asyncpg.PostgresError):
        async with new_unit() as uow:
            return await _batch(uow, job_id, limit, day, fast=False)


async def _batch(uow: ContractsUnitOfWork, job_id: uuid.UUID, limit: int, today: date, *, fast: bool) -> int:
    job = await uow.bulk_jobs.get(job_id)
    seqs = await uow.bulk_jobs.claim(job_id, limit)
    if not seqs:
        await _finish(uow, job_id)
        return 0
    contracts = await uow.contracts.load(await uow.bulk_jobs.lock_contracts(list(seqs)))
    ctx = await _context(uow, job, today, list(seqs))
    if fast and job.kind in FAST_KINDS:
        outcomes = await apply_fast(uow, ctx, contracts, seqs)
    else:
        outcomes = await apply_each(uow, ctx, contracts, seqs)
    await uow.bulk_jobs.record(job_id, outcomes)
    await _finish(uow, job_id)
    return len(seqs)


async def _finish(uow: ContractsUnitOfWork, job_id: uuid.UUID) -> None:
    """Mark the job done once nothing is left; the worker that does announces it (staff hear of its
    failures from the notifier)."""
    if not await uow.bulk_jobs.finish(job_id):
        return
    job = await uow.bulk_jobs.get(job_id)
    failed, _ = await uow.bulk_jobs.items(job_id, "failed", 20, 0)
    failures = [BulkJobFailure(contract_id=r["contract_id"], contract_no=r["contract_no"],
                               reason=(r["reason"] or "")[:500]) for r in failed]  # fmt: skip
    fact = BulkJobFinished(job_id=job_id, kind=job.kind, actor=job.actor, selected=job.total,
                           done=job.applied, failed=job.failed, failures=failures)  # fmt: skip
    await uow.emit(BULK_JOB_FINISHED, job_id, fact)


async def _context(uow: ContractsUnitOfWork, job: BulkJob, today: date, ids: list[uuid.UUID]) -> Context:
    ctx = Context(job, today)
    if job.kind in ("reorganise", "merge"):
        ctx.target = await uow.contracts.get(uuid.UUID(job.params["target_id"]), for_update=True)
    if job.kind == "undo" and job.undo_of is not None:
        left = await uow.bulk_jobs.applied(job.undo_of, ids)
        ctx.previous = {cid: (v, previous_of(before)) for cid, (v, before) in left.items()}
    return ctx


async def work_once(new_unit: NewUnit, limit: int, today: date | None = None) -> int:
    """One batch of each open job (oldest first); how many contracts were taken."""
    async with new_unit() as uow:
        jobs = await uow.bulk_jobs.open_jobs()
    taken = 0
    for job_id in jobs:
        taken += await run_batch(new_unit, job_id, limit, today)
    return taken
