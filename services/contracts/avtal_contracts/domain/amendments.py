"""Workflow operations on one contract: each is an amendment from an effective date. Pure rules.

Each operation takes the contract as it is and answers an `Amendment`: the contract after it (version one
higher), the lines it changed, and what it does to the revenue of the rest of the term (day-based
proration, docs/contracts-model.md). A preview shows the amendment; applying it stores `after`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from avtal_common.calendar_days import prorate
from avtal_common.errors import DomainError
from avtal_common.money import round_money
from avtal_contracts.domain.contracts import (
    Contract,
    Line,
    LineRequest,
    check_no_overlap_within,
    effective_status,
    new_line,
)


class NothingToChange(DomainError):
    """The operation would leave the contract as it is (the price list's repricing skips such a one)."""


@dataclass(frozen=True)
class LineChange:
    """One line's change: `added`, `ended` (cut to an earlier last day), `deleted` (had not started),
    `repriced` (a new price from the effective date; the older part keeps its own)."""

    change: str
    before: Line | None
    after: Line | None


@dataclass(frozen=True)
class Amendment:
    operation: str  # add_items, remove_items, change_prices, terminate
    before: Contract
    after: Contract
    effective_date: date
    changes: tuple[LineChange, ...]
    summary: str

    @property
    def impact_from(self) -> date:
        """The first day whose revenue the amendment changes (a termination's day is still covered)."""
        return (
            self.effective_date + timedelta(days=1) if self.operation == "terminate" else self.effective_date
        )

    @property
    def impact_to(self) -> date:
        return max(self.before.end_date, self.after.end_date)

    @property
    def revenue_before(self) -> Decimal:
        return remaining_revenue(self.before, self.impact_from)

    @property
    def revenue_after(self) -> Decimal:
        return remaining_revenue(self.after, self.impact_from)

    @property
    def revenue_impact(self) -> Decimal:
        """What the rest of the term bills more (negative: less) after the amendment."""
        return self.revenue_after - self.revenue_before


def remaining_revenue(c: Contract, since: date) -> Decimal:
    """What the contract's lines bill from `since` to their ends, each line prorated by day."""
    return sum(
        (
            prorate(ln.annual_price, max(ln.start_date, since), ln.end_date)
            for ln in c.lines
            if ln.end_date >= since
        ),
        Decimal("0.00"),
    )


def check_amendable(c: Contract, effective: date, today: date) -> None:
    """Only an open contract changes, and only from a day of its term."""
    status = effective_status(c, today)
    if status not in ("draft", "active", "expiring"):
        raise DomainError(
            f"contract {c.contract_no} is {status}: it cannot be amended any more (its history stays)"
        )
    if not c.start_date <= effective <= c.end_date:
        raise DomainError(
            f"effective date {effective} is outside the term {c.start_date}..{c.end_date} "
            f"of contract {c.contract_no}"
        )


def add_items(c: Contract, requests: list[LineRequest], effective: date, today: date) -> Amendment:
    """New lines from `effective` to the term's end (the list price unless overridden)."""
    check_amendable(c, effective, today)
    if not requests:
        raise DomainError("name at least one item to add")
    dated = [replace(r, start_date=effective, end_date=None) for r in requests]
    added = [new_line(r, c.customer, c.currency, effective, c.end_date) for r in dated]
    lines = [*c.lines, *added]
    check_no_overlap_within(lines)
    changes = tuple(LineChange("added", None, ln) for ln in added)
    after = c.next_version(lines=lines)
    return Amendment(
        "add_items", c, after, effective, changes, f"added {len(added)} item(s) from {effective}"
    )


def remove_items(c: Contract, item_ids: list[uuid.UUID], effective: date, today: date) -> Amendment:
    """The items' lines end the day before `effective`; a line that starts on or after it goes."""
    check_amendable(c, effective, today)
    wanted = set(item_ids)
    hit = [ln for ln in c.lines if ln.item.item_id in wanted and ln.end_date >= effective]
    missing = wanted - {ln.item.item_id for ln in hit}
    if missing or not wanted:
        raise DomainError(
            f"{len(missing) or 'no'} item(s) named are not covered by this contract on or after {effective}"
        )
    changes = tuple(_cut(ln, effective - timedelta(days=1)) for ln in hit)
    lines = _replace_lines(c.lines, changes)
    if not any(ln.end_date >= effective for ln in lines):
        raise DomainError(
            f"removing these items leaves contract {c.contract_no} nothing to cover from {effective}: "
            "terminate it instead"
        )
    after = c.next_version(lines=lines)
    return Amendment(
        "remove_items", c, after, effective, changes, f"removed {len(hit)} line(s) from {effective}"
    )


@dataclass(frozen=True)
class PriceChange:
    """New unit prices: per line (`prices`: line id → price), or every chosen line by `percent`."""

    prices: dict[uuid.UUID, Decimal] | None = None
    percent: Decimal | None = None
    line_ids: tuple[uuid.UUID, ...] = ()  # with `percent`: only these lines (none: all)
    source: str = "override"  # 'list' when the price list set it

    def new_price(self, ln: Line) -> Decimal | None:
        if self.prices is not None:
            return self.prices.get(ln.line_id)
        if self.percent is None or (self.line_ids and ln.line_id not in self.line_ids):
            return None
        return round_money(ln.unit_price * (Decimal(100) + self.percent) / Decimal(100))


def change_prices(c: Contract, change: PriceChange, effective: date, today: date) -> Amendment:
    """Lines reaching `effective` get their new unit price from that day: a line that started before is
    split there (the older part keeps its price)."""
    check_amendable(c, effective, today)
    if change.prices is not None:
        unknown = set(change.prices) - {ln.line_id for ln in c.lines if ln.end_date >= effective}
        if unknown:
            raise DomainError(
                f"{len(unknown)} line(s) named are not on this contract on or after {effective}"
            )
    changes: list[LineChange] = []
    for ln in c.lines:
        price = change.new_price(ln) if ln.end_date >= effective else None
        if price is None or round_money(price) == ln.unit_price:
            continue
        if price < 0:
            raise DomainError(f"line {ln.item.serial_no}: the new unit price {price} must not be negative")
        changes.extend(_reprice(ln, round_money(price), change.source, effective))
    if not changes:
        raise NothingToChange(f"no line's price changes from {effective}: nothing to do")
    after = c.next_version(lines=_replace_lines(c.lines, tuple(changes)))
    n = sum(1 for ch in changes if ch.change == "repriced")
    return Amendment(
        "change_prices", c, after, effective, tuple(changes), f"repriced {n} line(s) from {effective}"
    )


def terminate(c: Contract, last_day: date, reason: str, today: date) -> Amendment:
    """The contract ends on `last_day` (its last covered day): lines are cut to it, later ones go."""
    check_amendable(c, last_day, today)
    if not reason.strip():
        raise DomainError("a termination needs a reason")
    changes = tuple(_cut(ln, last_day) for ln in c.lines if ln.end_date > last_day)
    after = c.next_version(
        lines=_replace_lines(c.lines, changes),
        end_date=last_day,
        status="terminated",
        terminated_on=last_day,
        termination_reason=reason.strip(),
    )
    return Amendment(
        "terminate",
        c,
        after,
        last_day,
        changes,
        f"terminated: last covered day {last_day} ({reason.strip()})",
    )


def _cut(ln: Line, last_day: date) -> LineChange:
    if ln.start_date > last_day:
        return LineChange("deleted", ln, None)
    return LineChange("ended", ln, replace(ln, end_date=last_day))


def _reprice(ln: Line, price: Decimal, source: str, effective: date) -> list[LineChange]:
    if ln.start_date >= effective:
        return [LineChange("repriced", ln, replace(ln, unit_price=price, price_source=source))]
    old = replace(ln, end_date=effective - timedelta(days=1))
    new = replace(ln, line_id=uuid.uuid4(), unit_price=price, price_source=source, start_date=effective)
    return [LineChange("ended", ln, old), LineChange("repriced", ln, new)]


def _replace_lines(lines: list[Line], changes: tuple[LineChange, ...]) -> list[Line]:
    """`lines` with each changed line replaced by what the changes make of it (none, one or two)."""
    touched = {ch.before.line_id for ch in changes if ch.before is not None}
    made = [ch.after for ch in changes if ch.after is not None]
    return [ln for ln in lines if ln.line_id not in touched] + made
