"""Billing schedules: periods from a contract's dated lines, day-based proration. Pure, no I/O.

The convention (docs/billing-model.md): a full period costs `annual × months / 12`, whatever its days;
a line that covers only part of a period costs that times its covered days over the period's actual
days, rounded half up to the cent per line."""

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
    """A contract line as billing prices it: its yearly price and the days it covers."""

    description: str
    annual_price: Decimal  # unit_price × quantity, per year
    line_id: uuid.UUID | None = None
    start: date | None = None  # first covered day; None: the contract's start
    end: date | None = None  # exclusive; None: the contract's end
    serials: str = ""
    quantity: int = 1
    unit_price: Decimal | None = None  # per unit and year
    vat_rate: Decimal | None = None  # percent; None: the buyer's rate


@dataclass(frozen=True)
class PeriodLine:
    """What one contract line costs in one period, for the days it covers in it."""

    description: str
    amount: Decimal
    line_id: uuid.UUID | None = None
    start: date | None = None  # first service day in the period; None: the period's first day
    end: date | None = None  # last service day (inclusive); None: the period's last day
    serials: str = ""
    quantity: int = 1
    unit_price: Decimal | None = None
    vat_rate: Decimal | None = None


TIMINGS = ("advance", "arrears")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    lines: tuple[PeriodLine, ...]
    bill_on: date | None = None  # the day it is invoiced (see bill_on); None: its start

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


def bill_on(start: date, end: date, timing: str, lead_days: int) -> date:
    """When the period [start, end) is invoiced: in advance `lead_days` before it starts (so it falls
    due as it begins when the lead is the payment terms); in arrears the day after its last day."""
    if timing == "arrears":
        return end
    return start - timedelta(days=lead_days)


def schedule(
    start: date,
    end: date,
    interval_months: int,
    lines: list[PricedLine],
    timing: str = "advance",
    lead_days: int = 0,
) -> list[Period]:
    """Billing periods [start, end) of `interval_months`, anchored at `start`. Each line is billed for
    the days it covers in a period (its own start and end inside the contract's); a period no line
    covers is left out. A short or partly covered period is prorated by its actual days."""
    if end <= start:
        raise DomainError(f"end {end} must be after start {start}")
    if timing not in TIMINGS:
        raise DomainError(f"billing timing must be one of {', '.join(TIMINGS)}, got {timing!r}")
    periods: list[Period] = []
    share = Decimal(interval_months) / Decimal(12)
    k = 0
    while True:
        p_start, full_end = (
            add_months(start, k * interval_months),
            add_months(start, (k + 1) * interval_months),
        )
        if p_start >= end:
            return periods
        p_end = min(full_end, end)
        full_days = Decimal((full_end - p_start).days)
        priced = []
        for ln in lines:
            first, stop = max(p_start, ln.start or p_start), min(p_end, ln.end or p_end)
            if first >= stop:
                continue
            amount = round_money(ln.annual_price * share * Decimal((stop - first).days) / full_days)
            priced.append(
                PeriodLine(
                    ln.description,
                    amount,
                    ln.line_id,
                    first,
                    stop - timedelta(days=1),
                    ln.serials,
                    ln.quantity,
                    ln.unit_price,
                    ln.vat_rate,
                )
            )
        if priced:
            periods.append(Period(p_start, p_end, tuple(priced), bill_on(p_start, p_end, timing, lead_days)))
        k += 1


def reschedule(
    start: date,
    end: date,
    interval_months: int,
    lines: list[PricedLine],
    invoiced: list[ScheduledPeriod],
    timing: str = "advance",
    lead_days: int = 0,
) -> list[Period]:
    """The schedule of a contract's new state: its term [start, end) less the days invoiced periods
    cover, each stretch left cut into periods from its own first day. Invoiced periods stay as billed
    (what a change does to them is a credit or an extra invoice, not a new schedule)."""
    if end <= start:
        raise DomainError(f"end {end} must be after start {start}")
    return [
        p
        for a, b in _uncovered(start, end, invoiced)
        for p in schedule(a, b, interval_months, lines, timing, lead_days)
    ]


def _uncovered(start: date, end: date, invoiced: list[ScheduledPeriod]) -> list[tuple[date, date]]:
    """The stretches of [start, end) that no invoiced period (last day inclusive) covers."""
    stretches, cursor = [], start
    for p in sorted(invoiced, key=lambda p: p.period_start):
        if p.period_start > cursor:
            stretches.append((cursor, p.period_start))
        cursor = max(cursor, p.period_end + timedelta(days=1))
    stretches.append((cursor, end))
    return [(a, min(b, end)) for a, b in stretches if a < min(b, end)]
