"""Bulk jobs: preview, start, run in batches (each contract all-or-nothing), undo."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from avtal_common.errors import DomainError
from avtal_common.logging import current_correlation_id
from avtal_common.payloads.contracts import ContractAmended
from avtal_common.topics import CONTRACT_AMENDED, CONTRACT_CREATED
from avtal_contracts.domain import bulk
from avtal_contracts.domain.contracts import Contract, Terms
from avtal_contracts.handlers.contracts import commit_change, contract_created, contract_fields, emit_change
from avtal_contracts.handlers.renewals import renew_contract
from avtal_contracts.store.batch import BatchUnitOfWork
from avtal_contracts.store.bulk_jobs import BulkJob, Outcome
from avtal_contracts.store.contracts import snapshot
from avtal_contracts.store.search import Selection
from avtal_contracts.store.uow import ContractsUnitOfWork

# Kinds that change one contract each: their batches take the set-based path.
FAST_KINDS = ("coterminate", "edit", "undo")
UNDOABLE = ("coterminate", "edit")


@dataclass(frozen=True)
class StartBulkJob:
    kind: str
    selection: Selection
    params: dict[str, Any]  # JSON-ready: dates and decimals as strings
    actor: str


@dataclass
class Context:
    """What a batch needs beside its contracts: the target (reorganise, merge) and, for an undo,
    what each contract was before and the version the job left."""

    job: BulkJob
    today: date
    target: Contract | None = None
    previous: dict[uuid.UUID, tuple[int, bulk.Previous]] = field(default_factory=dict)


async def resolve_params(
    uow: ContractsUnitOfWork, cmd: StartBulkJob, today: date, days: int
) -> dict[str, Any]:
    """The parameters as the job will apply them: a co-termination's mode becomes its date."""
    p = dict(cmd.params)
    if cmd.kind not in bulk.KINDS:
        raise DomainError(f"kind must be one of {bulk.KINDS}")
    if cmd.kind == "coterminate":
        chosen = date.fromisoformat(p["end_date"]) if p.get("end_date") else None
        ends = await uow.search.open_end_dates(cmd.selection, today, days)
        p["end_date"] = bulk.coterminate_date(p.get("mode", "date"), chosen, ends).isoformat()
    if cmd.kind == "edit":
        bulk.edit_changes(*(p.get(k) for k in bulk.EDITABLE))
    if cmd.kind == "split" and (p.get("split_by") not in bulk.SPLIT_BY or not p.get("effective_date")):
        raise DomainError(f"split needs split_by (one of {bulk.SPLIT_BY}) and effective_date")
    if cmd.kind in ("reorganise", "merge"):
        if not p.get("target_id") or not p.get("effective_date"):
            raise DomainError(f"{cmd.kind} needs target_id and effective_date")
        await uow.contracts.get(uuid.UUID(p["target_id"]))
    return p


def plan(ctx: Context, c: Contract) -> bulk.Change:
    """What the job does to `c` (pure; a DomainError is the contract's reason to fail)."""
    p, kind = ctx.job.params, ctx.job.kind
    if kind == "coterminate":
        return bulk.coterminate(c, date.fromisoformat(p["end_date"]))
    if kind == "edit":
        return bulk.edit_terms(c, _edits(p))
    if kind == "undo":
        if c.contract_id not in ctx.previous:
            raise DomainError(f"the job did not change contract {c.contract_no}")
        version, previous = ctx.previous[c.contract_id]
        return bulk.restore(c, previous, version)
    raise DomainError(f"{kind} moves items between contracts: it has no single-contract plan")


def _edits(p: dict[str, Any]) -> dict[str, object]:
    pct = p.get("uplift_pct")
    return bulk.edit_changes(
        p.get("billing_interval_months"),
        p.get("price_policy"),
        Decimal(str(pct)) if pct is not None else None,
        p.get("auto_renew"),
    )


def effective_date(ctx: Context, before: Contract, after: Contract) -> date:
    if ctx.job.kind == "coterminate":
        return min(before.end_date, after.end_date) + timedelta(days=1)
    if ctx.job.kind in ("reorganise", "merge", "split"):
        return date.fromisoformat(ctx.job.params["effective_date"])
    return ctx.today


async def commit(uow: ContractsUnitOfWork, ctx: Context, before: Contract, change: bulk.Change) -> None:
    """`commit_change` with the job named in the audit detail and in `contract.amended`."""
    when = effective_date(ctx, before, change.after)
    fact = ContractAmended(
        **contract_fields(change.after),
        operation=ctx.job.kind,
        effective_date=when,
        summary=change.summary,
        job_id=ctx.job.job_id,
    )
    detail = {"job_id": str(ctx.job.job_id), "summary": change.summary, "impact": str(change.impact)}
    await commit_change(
        uow, before, change.after, action=f"bulk_{ctx.job.kind}", fact_topic=CONTRACT_AMENDED, fact=fact,
        actor=ctx.job.actor, effective_date=when, detail=detail,
    )  # fmt: skip


def applied(seq: int, change: bulk.Change) -> Outcome:
    return Outcome(seq, "applied", None, change.summary, change.impact, change.after.version)


async def apply_fast(
    uow: ContractsUnitOfWork, ctx: Context, contracts: list[Contract], seqs: dict[uuid.UUID, int]
) -> list[Outcome]:
    """The whole batch in one flush: the same `commit_change` rows, written set-based. A refusal of
    the domain skips its contract; a failure of the flush fails the batch (the caller redoes it one
    by one)."""
    batch = BatchUnitOfWork.over(uow.conn, uow.producer, {c.contract_id: c for c in contracts})
    outcomes = []
    for c in contracts:
        try:
            change = plan(ctx, c)
        except DomainError as exc:
            outcomes.append(Outcome(seqs[c.contract_id], "failed", str(exc)))
            continue
        await commit(batch, ctx, c, change)
        outcomes.append(applied(seqs[c.contract_id], change))
    await batch.flush()
    return outcomes


async def apply_each(
    uow: ContractsUnitOfWork, ctx: Context, contracts: list[Contract], seqs: dict[uuid.UUID, int]
) -> list[Outcome]:
    """One savepoint per contract: a failing contract is rolled back alone and reported."""
    outcomes = []
    for c in contracts:
        try:
            async with uow.conn.transaction():
                change = await _apply_one(uow, ctx, c)
            outcomes.append(applied(seqs[c.contract_id], change))
        except (DomainError, asyncpg.PostgresError) as exc:
            outcomes.append(Outcome(seqs[c.contract_id], "failed", _reason(exc)))
    return outcomes


async def _apply_one(uow: ContractsUnitOfWork, ctx: Context, c: Contract) -> bulk.Change:
    if ctx.job.kind == "renew":
        return await _renew(uow, ctx, c)
    if ctx.job.kind == "split":
        return await _split(uow, ctx, c)
    if ctx.job.kind not in ("reorganise", "merge"):
        change = plan(ctx, c)
        await commit(uow, ctx, c, change)
        return change
    target = ctx.target
    assert target is not None
    if c.contract_id == target.contract_id:
        raise DomainError(f"contract {c.contract_no} is the target")
    change, moved = _move_out(ctx, c)
    into = bulk.move_in(target, moved, date.fromisoformat(ctx.job.params["effective_date"]))
    await commit(uow, ctx, c, change)
    await commit(uow, ctx, target, into)
    ctx.target = into.after  # the next source's lines join this version (reset if this one fails)
    return bulk.Change(change.after, change.impact + into.impact, f"{change.summary}; {into.summary}")


async def _renew(uow: ContractsUnitOfWork, ctx: Context, c: Contract) -> bulk.Change:
    """The calendar's renewal by staff (successor with `contract.created`, `c` renewed with
    `contract.renewed`); a contract already renewed is reported, not renewed again."""
    if c.renewed_to is not None:
        raise DomainError(f"contract {c.contract_no} is already renewed")
    successor = await renew_contract(uow, c.contract_id, how="staff", actor=ctx.job.actor, today=date.today())
    return bulk.renewal_change(c, successor)


async def _split(uow: ContractsUnitOfWork, ctx: Context, c: Contract) -> bulk.Change:
    """`c` gives up the other groups' lines first (so the new contracts do not cover them twice), then
    each new contract is created (audited, `contract.created`)."""
    p = ctx.job.params
    when = date.fromisoformat(p["effective_date"])
    count = len(bulk.split_groups(c, p["split_by"], when)) - 1
    numbers = [await uow.contracts.next_number() for _ in range(count)]
    change, made = bulk.split(c, p["split_by"], when, numbers)
    await commit(uow, ctx, c, change)
    for new in made:
        await _created(uow, ctx, new, {"split_from": str(c.contract_id)})
    return change


async def _created(uow: ContractsUnitOfWork, ctx: Context, new: Contract, why: dict[str, str]) -> None:
    await uow.contracts.add(new)
    await uow.contracts.audit(
        new.contract_id, "created", {**why, "job_id": str(ctx.job.job_id)}, current_correlation_id(),
        actor=ctx.job.actor, version=1, effective_date=new.start_date, after=snapshot(new),
    )  # fmt: skip
    await emit_change(uow, new, CONTRACT_CREATED, contract_created(new))


def _move_out(ctx: Context, c: Contract) -> tuple[bulk.Change, list[Any]]:
    p = ctx.job.params
    when = date.fromisoformat(p["effective_date"])
    site = uuid.UUID(p["site_id"]) if p.get("site_id") else None
    items = {ln.item.item_id for ln in c.lines if site is None or ln.item.site_id == site}
    change, moved = bulk.move_out(c, items, when)
    if ctx.job.kind == "merge":  # the source ends the day before: the target carries everything
        end = max(c.start_date, when - timedelta(days=1))
        into = ctx.target.contract_no if ctx.target else "the target"
        change = bulk.Change(replace(change.after, end_date=end), change.impact, f"merged into {into}")
    return change, moved


def _reason(exc: Exception) -> str:
    if isinstance(exc, asyncpg.exceptions.ExclusionViolationError):
        return "an item would be covered twice on some day (another contract covers it)"
    return str(exc) or type(exc).__name__


def previous_of(before: dict[str, Any]) -> bulk.Previous:
    """The snapshot a job kept (store.contracts.snapshot) as what undo restores."""
    t = dict(before["terms"])
    for k in ("uplift_pct",):
        t[k] = Decimal(t[k]) if t.get(k) is not None else None
    return bulk.Previous(
        date.fromisoformat(before["end_date"]),
        {uuid.UUID(ln["line_id"]): date.fromisoformat(ln["end_date"]) for ln in before["lines"]},
        Terms(**t),
    )
