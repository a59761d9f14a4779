"""Billing periods and their amounts: pure rules of avtal_billing.domain.schedules."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avtal_billing.domain.schedules import Period, PricedLine, add_months, schedule
from avtal_common.errors import DomainError

SUPPORT = PricedLine("Support, Printer X200 #SN1", Decimal("1200.00"))


def _assert_contiguous(periods: list[Period], start: date, end: date) -> None:
    assert periods, "a schedule over a non-empty range has at least one period"
    assert periods[0].start == start
    assert periods[-1].end == end
    for before, after in itertools.pairwise(periods):
        assert before.end == after.start, f"gap or overlap between {before} and {after}"
    for p in periods:
        assert p.start < p.end


# --- coverage of [start, end) ---------------------------------------------------------------


@pytest.mark.parametrize("interval", [1, 3, 6, 12])
def test_periods_cover_start_to_end_without_gap_or_overlap(interval: int) -> None:
    start, end = date(2025, 1, 15), date(2027, 3, 1)

    periods = schedule(start, end, interval, [SUPPORT])

    _assert_contiguous(periods, start, end)


def test_a_quarterly_twelve_month_contract_has_four_equal_periods_summing_to_the_annual_price() -> None:
    periods = schedule(date(2025, 1, 1), date(2026, 1, 1), 3, [SUPPORT])

    assert [(p.start, p.end) for p in periods] == [
        (date(2025, 1, 1), date(2025, 4, 1)),
        (date(2025, 4, 1), date(2025, 7, 1)),
        (date(2025, 7, 1), date(2025, 10, 1)),
        (date(2025, 10, 1), date(2026, 1, 1)),
    ]
    assert [p.amount for p in periods] == [Decimal("300.00")] * 4
    assert sum(p.amount for p in periods) == Decimal("1200.00")


def test_full_periods_are_priced_by_share_of_year_not_by_days() -> None:
    # February (28 days) and March (31 days) cost the same monthly fee.
    periods = schedule(date(2025, 2, 1), date(2025, 4, 1), 1, [SUPPORT])

    assert [p.amount for p in periods] == [Decimal("100.00"), Decimal("100.00")]


def test_an_annual_contract_is_one_period_at_the_annual_price() -> None:
    periods = schedule(date(2025, 5, 10), date(2026, 5, 10), 12, [SUPPORT])

    assert len(periods) == 1
    assert periods[0].amount == Decimal("1200.00")


def test_a_short_last_period_is_prorated_by_days() -> None:
    # Monthly at 100.00: Feb 1 .. Feb 15 is 14 of February's 28 days.
    periods = schedule(date(2025, 1, 1), date(2025, 2, 15), 1, [SUPPORT])

    assert [(p.start, p.end) for p in periods] == [
        (date(2025, 1, 1), date(2025, 2, 1)),
        (date(2025, 2, 1), date(2025, 2, 15)),
    ]
    assert periods[0].amount == Decimal("100.00")
    assert periods[1].amount == Decimal("50.00")


def test_a_short_quarterly_last_period_is_prorated_by_the_days_of_its_full_quarter() -> None:
    # Apr 1 .. May 1 is 30 of the 91 days of Apr 1 .. Jul 1; a quarter costs 300.00.
    periods = schedule(date(2025, 1, 1), date(2025, 5, 1), 3, [SUPPORT])

    assert periods[-1].end == date(2025, 5, 1)
    assert periods[-1].amount == Decimal("98.90")  # 300 * 30 / 91 = 98.901...


def test_a_contract_shorter_than_one_interval_is_one_prorated_period() -> None:
    periods = schedule(date(2025, 1, 1), date(2025, 1, 2), 12, [SUPPORT])

    assert [(p.start, p.end) for p in periods] == [(date(2025, 1, 1), date(2025, 1, 2))]
    assert periods[0].amount == Decimal("3.29")  # 1200 * 1 / 365 = 3.287...


@pytest.mark.parametrize("end", [date(2025, 1, 1), date(2024, 12, 31)])
def test_a_schedule_refuses_an_end_not_after_its_start(end: date) -> None:
    with pytest.raises(DomainError):
        schedule(date(2025, 1, 1), end, 1, [SUPPORT])


# --- lines and amounts ----------------------------------------------------------------------


def test_each_period_has_one_line_per_priced_line_in_order() -> None:
    lines = [PricedLine("A", Decimal("1200.00")), PricedLine("B", Decimal("600.00"))]

    periods = schedule(date(2025, 1, 1), date(2025, 7, 1), 3, lines)

    for p in periods:
        assert [ln.description for ln in p.lines] == ["A", "B"]
        assert [ln.amount for ln in p.lines] == [Decimal("300.00"), Decimal("150.00")]
        assert p.amount == Decimal("450.00")


@pytest.mark.parametrize("price", ["1000", "1000.00", "999.99", "0.01", "123456.78"])
def test_amounts_are_decimals_with_exactly_two_places(price: str) -> None:
    periods = schedule(date(2025, 1, 31), date(2025, 12, 17), 1, [PricedLine("X", Decimal(price))])

    for p in periods:
        for amount in [p.amount, *(ln.amount for ln in p.lines)]:
            assert isinstance(amount, Decimal)
            assert amount.as_tuple().exponent == -2, amount


def test_a_monthly_share_that_does_not_divide_evenly_is_rounded_half_up_to_the_cent() -> None:
    periods = schedule(date(2025, 1, 1), date(2025, 2, 1), 1, [PricedLine("X", Decimal("1000.00"))])

    assert periods[0].amount == Decimal("83.33")  # 1000 / 12 = 83.333...


def test_a_zero_priced_line_bills_zero() -> None:
    periods = schedule(date(2025, 1, 1), date(2025, 3, 15), 1, [PricedLine("Free", Decimal("0.00"))])

    assert all(p.amount == Decimal("0.00") for p in periods)


def test_a_period_no_line_covers_is_not_scheduled() -> None:
    assert schedule(date(2025, 1, 1), date(2025, 3, 1), 1, []) == []


# --- month arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2025, 1, 31), 2, date(2025, 3, 31)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 8, 31), 3, date(2025, 11, 30)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 6, 10), 0, date(2025, 6, 10)),
        (date(2025, 6, 10), 25, date(2027, 7, 10)),
    ],
)
def test_add_months_keeps_the_day_and_clamps_to_the_end_of_a_shorter_month(
    d: date, months: int, expected: date
) -> None:
    assert add_months(d, months) == expected


def test_monthly_periods_from_the_31st_do_not_drift_after_a_short_month() -> None:
    periods = schedule(date(2025, 1, 31), date(2025, 5, 31), 1, [SUPPORT])

    assert [p.start for p in periods] == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
    ]
    assert periods[-1].end == date(2025, 5, 31)
    assert [p.amount for p in periods] == [Decimal("100.00")] * 4


# --- properties ------------------------------------------------------------------------------

starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
intervals = st.sampled_from([1, 3, 6, 12])
prices = st.decimals(
    min_value=Decimal("0.00"),
    max_value=Decimal("1000000.00"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@settings(max_examples=200, deadline=None)
@given(start=starts, interval=intervals, n_periods=st.integers(min_value=1, max_value=40), price=prices)
def test_a_whole_number_of_intervals_bills_the_annual_price_times_years(
    start: date, interval: int, n_periods: int, price: Decimal
) -> None:
    end = add_months(start, n_periods * interval)
    years = Decimal(n_periods * interval) / Decimal(12)

    periods = schedule(start, end, interval, [PricedLine("X", price)])

    _assert_contiguous(periods, start, end)
    assert len(periods) == n_periods
    total = sum((p.amount for p in periods), Decimal("0.00"))
    assert abs(total - price * years) <= Decimal("0.01") * len(periods)


@settings(max_examples=200, deadline=None)
@given(
    start=starts,
    interval=intervals,
    n_full=st.integers(min_value=0, max_value=20),
    tail=st.data(),
    price=prices,
)
def test_any_duration_bills_full_periods_plus_a_day_prorated_tail(
    start: date, interval: int, n_full: int, tail: st.DataObject, price: Decimal
) -> None:
    tail_start = add_months(start, n_full * interval)
    tail_full_end = add_months(start, (n_full + 1) * interval)
    full_days = (tail_full_end - tail_start).days
    tail_days = tail.draw(st.integers(min_value=1, max_value=full_days - 1), label="tail_days")
    end = tail_start + timedelta(days=tail_days)
    expected = price * Decimal(interval) / 12 * (n_full + Decimal(tail_days) / Decimal(full_days))

    periods = schedule(start, end, interval, [PricedLine("X", price)])

    _assert_contiguous(periods, start, end)
    assert len(periods) == n_full + 1
    assert (periods[-1].start, periods[-1].end) == (tail_start, end)
    total = sum((p.amount for p in periods), Decimal("0.00"))
    assert abs(total - expected) <= Decimal("0.01") * len(periods)
    for p in periods:
        assert p.amount.as_tuple().exponent == -2
        assert Decimal("0") <= p.amount <= price * Decimal(interval) / 12 + Decimal("0.01")
