"""Bulk operations on one contract each: pure rules that turn `before` into `after` (or refuse)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from avtal_common.calendar_days import prorate
from avtal_common.errors import DomainError
from avtal_contracts.domain.contracts import Contract, Line, Terms, check_no_overlap_within
from avtal_contracts.domain.renewals import renewed

KINDS = ("coterminate", "edit", "reorganise", "merge", "renew", "split")
COTERMINATE_MODES = ("date", "latest", "earliest")
EDITABLE = ("billing_interval_months", "price_policy", "uplift_pct", "auto_renew")


@dataclass(frozen=True)
class Change:
    """What one bulk operation does to one contract: the new version and its revenue impact (the
    prorated difference of what the lines are worth over the days gained or lost)."""

    after: Contract
    impact: Decimal
    summary: str


def coterminate_date(mode: str, chosen: date | None, ends: list[date]) -> date:
    """The day every selected contract will end on: the chosen one, or the latest or earliest end."""
    if mode == "date":
        if chosen is None:
            raise DomainError("co-terminate to a date needs end_date")
        return chosen
    if mode not in COTERMINATE_MODES:
        raise DomainError(f"mode must be one of {COTERMINATE_MODES}")
    if not ends:
        raise DomainError("the selection has no open contract to take an end date from")
    return max(ends) if mode == "latest" else min(ends)


def _must_be_open(c: Contract) -> None:
    if not c.is_open():
        raise DomainError(f"contract {c.contract_no} is {c.status}: a closed contract cannot change")


def coterminate(c: Contract, new_end: date) -> Change:
    """The term ends on `new_end`: lines that reached the old end are extended or cut to it, lines
    that ended before it but after `new_end` are cut. Revenue impact: each line's annual price
    prorated over the days added (positive) or removed (negative)."""
    _must_be_open(c)
    if new_end < c.start_date:
        raise DomainError(f"contract {c.contract_no} starts {c.start_date}, after the new end {new_end}")
    if new_end == c.end_date:
        raise DomainError(f"contract {c.contract_no} already ends on {new_end}")
    late = [ln for ln in c.lines if ln.start_date > new_end]
    if late:
        raise DomainError(
            f"line {late[0].item.serial_no} of {c.contract_no} starts {late[0].start_date}, after the "
            f"new end {new_end}: remove it first"
        )
    lines = [_line_end(ln, c.end_date, new_end) for ln in c.lines]
    impact = sum((line_impact(a, b) for a, b in zip(c.lines, lines, strict=True)), Decimal(0))
    after = c.next_version(end_date=new_end, lines=lines)
    return Change(after, impact, f"end date {c.end_date} -> {new_end}")


def _line_end(ln: Line, old_end: date, new_end: date) -> Line:
    if ln.end_date == old_end or ln.end_date > new_end:
        return replace(ln, end_date=new_end)
    return ln


def line_impact(before: Line, after: Line) -> Decimal:
    """What the line's changed end date is worth: + the days added, − the days removed (prorated)."""
    if after.end_date > before.end_date:
        return prorate(before.annual_price, before.end_date + timedelta(days=1), after.end_date)
    if after.end_date < before.end_date:
        return -prorate(before.annual_price, after.end_date + timedelta(days=1), before.end_date)
    return Decimal(0)


def edit_terms(c: Contract, changes: dict[str, object]) -> Change:
    """Billing interval, price policy, uplift % or auto-renew changed; no revenue impact (the
    same lines at the same prices over the same days)."""
    _must_be_open(c)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError(f"a bulk edit changes only {EDITABLE}, not {sorted(unknown)}")
    terms = replace(c.terms, **changes).check()  # type: ignore[arg-type]
    if terms == c.terms:
        raise DomainError(f"contract {c.contract_no} already has these terms")
    said = ", ".join(f"{k} {getattr(c.terms, k)} -> {getattr(terms, k)}" for k in sorted(changes))
    return Change(c.next_version(terms=terms), Decimal(0), said)


@dataclass(frozen=True)
class Previous:
    """What a contract was before a job changed it (what undo brings back)."""

    end_date: date
    line_ends: dict[uuid.UUID, date]
    terms: Terms


def restore(c: Contract, previous: Previous, applied_version: int) -> Change:
    """Undo: `c` gets back its end date, lines' end dates and terms from before the job, unless
    someone changed it after the job did."""
    if c.version != applied_version:
        raise DomainError(
            f"contract {c.contract_no} was changed after the job (version {c.version}, the job left "
            f"{applied_version}): undo it by hand"
        )
    ends = previous.line_ends
    if set(ends) != {ln.line_id for ln in c.lines}:
        raise DomainError(f"contract {c.contract_no} has other lines than before the job")
    lines = [replace(ln, end_date=ends[ln.line_id]) for ln in c.lines]
    impact = sum((line_impact(a, b) for a, b in zip(c.lines, lines, strict=True)), Decimal(0))
    after = c.next_version(end_date=previous.end_date, lines=lines, terms=previous.terms)
    return Change(after, impact, f"undo: end date {c.end_date} -> {previous.end_date}, terms as before")


def move_out(c: Contract, items: set[uuid.UUID], effective: date) -> tuple[Change, list[Line]]:
    """The lines of `items` leave `c` from `effective` on (ended the day before; deleted if they had
    not started); returns the change and the lines that left, to be added elsewhere."""
    _must_be_open(c)
    moving = [ln for ln in c.lines if ln.item.item_id in items and ln.end_date >= effective]
    if not moving:
        raise DomainError(f"contract {c.contract_no} covers none of the items from {effective}")
    kept: list[Line] = []
    impact = Decimal(0)
    for ln in c.lines:
        if ln not in moving:
            kept.append(ln)
            continue
        impact -= prorate(ln.annual_price, max(effective, ln.start_date), ln.end_date)
        if ln.start_date < effective:
            kept.append(replace(ln, end_date=effective - timedelta(days=1)))
    summary = f"{len(moving)} item(s) moved out from {effective}"
    return Change(c.next_version(lines=kept), impact, summary), moving


def move_in(target: Contract, lines: list[Line], effective: date) -> Change:
    """`lines` join `target` from `effective` (or its start) to its end, at their prices."""
    _must_be_open(target)
    first = max(effective, target.start_date)
    if first > target.end_date:
        raise DomainError(f"target {target.contract_no} ends {target.end_date}, before {effective}")
    if any(ln.item.customer_id != target.customer.customer_id for ln in lines):
        raise DomainError(f"target {target.contract_no} belongs to another customer")
    added = [replace(ln, line_id=uuid.uuid4(), start_date=first, end_date=target.end_date) for ln in lines]
    check_no_overlap_within(target.lines + added)
    impact = sum((prorate(ln.annual_price, first, ln.end_date) for ln in added), Decimal(0))
    summary = f"{len(added)} item(s) moved in from {first}"
    return Change(target.next_version(lines=target.lines + added), impact, summary)


def edit_changes(
    billing_interval_months: int | None,
    price_policy: str | None,
    uplift_pct: Decimal | None,
    auto_renew: bool | None,
) -> dict[str, object]:
    """The fields a bulk edit sets (None: leave as it is)."""
    given = {
        "billing_interval_months": billing_interval_months,
        "price_policy": price_policy,
        "uplift_pct": uplift_pct,
        "auto_renew": auto_renew,
    }
    found: dict[str, object] = {k: v for k, v in given.items() if v is not None}
    if not found:
        raise DomainError(f"a bulk edit needs at least one of {EDITABLE}")
    return found


def renewal_change(c: Contract, successor: Contract) -> Change:
    """`c` renewed by `successor` (domain/renewals.py makes it: the calendar's rule for every price
    policy); the revenue impact is the successor's whole term."""
    impact = sum((prorate(ln.annual_price, ln.start_date, ln.end_date) for ln in successor.lines), Decimal(0))
    summary = f"renewed as {successor.contract_no} for {successor.start_date}..{successor.end_date}"
    return Change(renewed(c, successor), impact, summary)


SPLIT_BY = ("site", "product")


def split_groups(c: Contract, by: str, effective: date) -> list[list[Line]]:
    """The lines still running on `effective`, grouped by their item's site or their product (sorted,
    items without a site first); the first group stays, each other one becomes a contract."""
    _must_be_open(c)
    if by not in SPLIT_BY:
        raise DomainError(f"split by one of {SPLIT_BY}")
    groups: dict[str, list[Line]] = {}
    for ln in c.lines:
        if ln.end_date >= effective:
            key = str(ln.item.site_id or "") if by == "site" else ln.product.sku
            groups.setdefault(key, []).append(ln)
    if len(groups) < 2:
        raise DomainError(f"contract {c.contract_no} has lines of one {by} only from {effective}: no split")
    return [groups[k] for k in sorted(groups)]


def split(c: Contract, by: str, effective: date, numbers: list[str]) -> tuple[Change, list[Contract]]:
    """`c` keeps its first group; every other group's lines end the day before `effective` on `c` and
    run on a new contract (same customer and terms) from then to `c`'s end. The revenue moves, it does
    not change: the impact is the part that leaves `c`."""
    _, *rest = split_groups(c, by, effective)  # the first group stays
    first = max(effective, c.start_date)
    leaving = {ln.item.item_id for group in rest for ln in group}
    change, _ = move_out(c, leaving, effective)
    made = [
        Contract(uuid.uuid4(), no, c.customer, c.currency, first, c.end_date, c.terms,
                 [replace(ln, line_id=uuid.uuid4(), start_date=max(first, ln.start_date)) for ln in group])
        for no, group in zip(numbers, rest, strict=True)
    ]  # fmt: skip
    summary = f"split by {by}: {len(made)} new contract(s) {', '.join(numbers)} from {first}"
    return Change(change.after, change.impact, summary), made
