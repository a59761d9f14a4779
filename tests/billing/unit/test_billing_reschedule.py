"""A changed contract's schedule: its term less what is invoiced already (avtal_billing.domain.schedules)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from avtal_billing.domain.schedules import PricedLine, ScheduledPeriod, reschedule, schedule
from avtal_common.errors import DomainError

SUPPORT = PricedLine("Support, Printer X200 #SN1", Decimal("1200.00"))
YEAR = (date(2026, 1, 1), date(2027, 1, 1))


def _invoiced(start: date, last_day: date, amount: str = "300.00") -> ScheduledPeriod:
    return ScheduledPeriod(start, last_day, Decimal(amount), "SEK", uuid.uuid4())


def _spans(periods: list) -> list[tuple[date, date, Decimal]]:
    return [(p.start, p.end, p.amount) for p in periods]


def test_with_nothing_invoiced_the_schedule_is_the_contracts_whole_schedule() -> None:
    assert reschedule(*YEAR, 3, [SUPPORT], []) == schedule(*YEAR, 3, [SUPPORT])


def test_invoiced_periods_are_left_out_and_the_rest_is_scheduled_from_the_day_after() -> None:
    first_quarter = _invoiced(date(2026, 1, 1), date(2026, 3, 31))

    periods = reschedule(*YEAR, 3, [SUPPORT], [first_quarter])

    assert [p.start for p in periods] == [date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)]
    assert {p.amount for p in periods} == {Decimal("300.00")}


def test_a_longer_interval_after_an_invoiced_quarter_bills_the_rest_as_one_prorated_period() -> None:
    """2026-04-01 → 2027-01-01 is 275 days of the 365 to 2027-04-01: 1200 × 275/365 = 904.109… → 904.11."""
    first_quarter = _invoiced(date(2026, 1, 1), date(2026, 3, 31))

    periods = reschedule(*YEAR, 12, [SUPPORT], [first_quarter])

    assert _spans(periods) == [(date(2026, 4, 1), date(2027, 1, 1), Decimal("904.11"))]


def test_an_unbilled_stretch_before_an_invoiced_period_is_scheduled_too() -> None:
    """The first quarter's invoice was refused, the second billed: the first is still owed."""
    second_quarter = _invoiced(date(2026, 4, 1), date(2026, 6, 30))

    periods = reschedule(*YEAR, 3, [SUPPORT], [second_quarter])

    assert [p.start for p in periods] == [date(2026, 1, 1), date(2026, 7, 1), date(2026, 10, 1)]
    assert periods[0].end == date(2026, 4, 1)


def test_a_term_ending_inside_an_invoiced_period_schedules_nothing_more() -> None:
    whole_year = _invoiced(date(2026, 1, 1), date(2026, 12, 31), "1200.00")

    assert reschedule(date(2026, 1, 1), date(2026, 7, 1), 3, [SUPPORT], [whole_year]) == []


def test_a_term_ending_before_its_start_is_refused_even_when_everything_is_invoiced() -> None:
    whole_year = _invoiced(date(2026, 1, 1), date(2026, 12, 31), "1200.00")

    with pytest.raises(DomainError, match="must be after start"):
        reschedule(date(2026, 5, 1), date(2026, 4, 1), 3, [SUPPORT], [whole_year])
