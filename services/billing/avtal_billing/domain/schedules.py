"""Billing schedules: periods from a contract, day-based proration. Pure, no I/O."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from avtal_common.calendar_days import add_months
from avtal_common.errors import DomainError
from avtal_common.money import round_money


@dataclass(frozen=True)
class PricedLine:
    description: str
    annual_price: Decimal


@dataclass(frozen=True)
class PeriodLine:
    description: str
    amount: Decimal


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    lines: tuple[PeriodLine, ...]

    @property
    def amount(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal("0.00"))


@dataclass(frozen=True)
class ScheduledPeriod:
    """A period as stored: its last day inclusive, and the invoice that billed it (once billed)."""

    period_start: date
    period_end: date
    amount: Decimal
    currency: str
    invoice_id: uuid.UUID | None


def schedule(start: date, end: date, interval_months: int, lines: list[PricedLine]) -> list[Period]:
    """Billing periods [start, end) of `interval_months`; a short last period is prorated by days."""
    if end <= start:
        raise DomainError(f"end {end} must be after start {start}")
    periods: list[Period] = []
    k = 0
    while True:
        p_start, full_end = (
            add_months(start, k * interval_months),
            add_months(start, (k + 1) * interval_months),
        )
        if p_start >= end:
            return periods
        p_end = min(full_end, end)
        share = Decimal(interval_months) / Decimal(12)
        days = Decimal((p_end - p_start).days) / Decimal((full_end - p_start).days)
        periods.append(
            Period(
                p_start,
                p_end,
                tuple(
                    PeriodLine(ln.description, round_money(ln.annual_price * share * days)) for ln in lines
                ),
            )
        )
        k += 1


def reschedule(
    start: date, end: date, interval_months: int, lines: list[PricedLine], invoiced: list[ScheduledPeriod]
) -> list[Period]:
    """The schedule of a contract's new state: its term [start, end) less the days invoiced periods
    cover, each stretch left cut into periods from its own first day. Invoiced periods stay as billed
    (what a change does to them is a credit or an extra invoice, not a new schedule)."""
    if end <= start:
        raise DomainError(f"end {end} must be after start {start}")
    return [p for a, b in _uncovered(start, end, invoiced) for p in schedule(a, b, interval_months, lines)]


def _uncovered(start: date, end: date, invoiced: list[ScheduledPeriod]) -> list[tuple[date, date]]:
    """The stretches of [start, end) that no invoiced period (last day inclusive) covers."""
    stretches, cursor = [], start
    for p in sorted(invoiced, key=lambda p: p.period_start):
        if p.period_start > cursor:
            stretches.append((cursor, p.period_start))
        cursor = max(cursor, p.period_end + timedelta(days=1))
    stretches.append((cursor, end))
    return [(a, min(b, end)) for a, b in stretches if a < min(b, end)]
