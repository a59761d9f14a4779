"""Calendar arithmetic every service shares: month steps and day-based proration (docs/contracts-model.md)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from avtal_common.money import round_money


def add_months(d: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def month_share(first: date, last: date) -> Decimal:
    """How many months the days `first`..`last` (both included) are: whole months stepped from `first`
    count 1 each, and the rest is its days over the days of the month-step it lies in (actual days:
    a 14-day rest in a 28-day step is 0.5, in a 31-day step 14/31). Exact; callers round money once."""
    if last < first:
        return Decimal(0)
    end, months = last + timedelta(days=1), 0
    while add_months(first, months + 1) <= end:
        months += 1
    step_start = add_months(first, months)
    rest = (end - step_start).days
    if rest == 0:
        return Decimal(months)
    step_days = (add_months(first, months + 1) - step_start).days
    return Decimal(months) + Decimal(rest) / Decimal(step_days)


def prorate(annual: Decimal, first: date, last: date) -> Decimal:
    """What `annual` (a yearly price) comes to for `first`..`last`, rounded to the cent half up."""
    return round_money(annual * month_share(first, last) / Decimal(12))
