"""Proration against hand-computed cases (docs/billing-model.md): a full period costs annual × months / 12
whatever its days; a partly covered one that times covered days over the period's actual days, rounded
half up to the cent per line."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from avtal_billing.domain.schedules import PricedLine, bill_on, schedule

A, B = uuid.uuid4(), uuid.uuid4()


def _line(
    annual: str, start: date | None = None, end: date | None = None, line_id: uuid.UUID = A
) -> PricedLine:
    return PricedLine("Care", Decimal(annual), line_id, start, end)


@pytest.mark.parametrize(
    ("case", "start", "end", "line_start", "expected"),
    [
        # 1200 a year is 100 a month; a line from the 15th/16th/17th covers part of the month.
        ("28-day February", date(2026, 2, 1), date(2026, 3, 1), date(2026, 2, 15), "50.00"),  # 14/28
        (
            "29-day February, leap year",
            date(2028, 2, 1),
            date(2028, 3, 1),
            date(2028, 2, 15),
            "51.72",
        ),  # 15/29
        ("30-day April", date(2026, 4, 1), date(2026, 5, 1), date(2026, 4, 16), "50.00"),  # 15/30
        ("31-day March", date(2026, 3, 1), date(2026, 4, 1), date(2026, 3, 17), "48.39"),  # 15/31 = 48.387
        ("a whole February", date(2026, 2, 1), date(2026, 3, 1), None, "100.00"),
        ("a whole March", date(2026, 3, 1), date(2026, 4, 1), None, "100.00"),
    ],
)
def test_a_line_starting_mid_month_is_billed_for_its_days_over_the_months_actual_days(
    case: str, start: date, end: date, line_start: date | None, expected: str
) -> None:
    [period] = schedule(start, end, 1, [_line("1200.00", line_start)])

    assert period.amount == Decimal(expected), case


def test_a_mid_period_price_change_bills_each_price_for_its_own_days() -> None:
    # January (31 days): 1200 a year up to the 15th, 2400 a year from the 16th.
    old = _line("1200.00", None, date(2026, 1, 16))
    new = _line("2400.00", date(2026, 1, 16), None, B)

    [jan] = schedule(date(2026, 1, 1), date(2026, 2, 1), 1, [old, new])

    assert [ln.amount for ln in jan.lines] == [Decimal("48.39"), Decimal("103.23")]  # 100·15/31, 200·16/31
    assert [(ln.start, ln.end) for ln in jan.lines] == [
        (date(2026, 1, 1), date(2026, 1, 15)),
        (date(2026, 1, 16), date(2026, 1, 31)),
    ]
    assert jan.amount == Decimal("151.62")


def test_a_contract_ending_mid_quarter_bills_the_last_quarter_for_its_days() -> None:
    # Quarterly from 1 January; terminated with 14 February the last day: 45 of the quarter's 90 days.
    periods = schedule(date(2026, 1, 1), date(2026, 2, 15), 3, [_line("1200.00")])

    assert [(p.start, p.end, p.amount) for p in periods] == [
        (date(2026, 1, 1), date(2026, 2, 15), Decimal("150.00"))
    ]


def test_quarterly_in_advance_is_four_equal_quarters_each_invoiced_the_payment_terms_before() -> None:
    periods = schedule(date(2026, 1, 1), date(2027, 1, 1), 3, [_line("1200.00")], "advance", 30)

    assert [p.amount for p in periods] == [Decimal("300.00")] * 4
    assert [p.bill_on for p in periods] == [
        date(2025, 12, 2),
        date(2026, 3, 2),
        date(2026, 6, 1),
        date(2026, 9, 1),
    ]


def test_annual_in_advance_is_invoiced_lead_days_before_and_in_arrears_the_day_after_it_ends() -> None:
    [advance] = schedule(date(2026, 3, 1), date(2027, 3, 1), 12, [_line("1200.00")], "advance", 30)
    [arrears] = schedule(date(2026, 3, 1), date(2027, 3, 1), 12, [_line("1200.00")], "arrears", 30)

    assert (advance.amount, advance.bill_on) == (Decimal("1200.00"), date(2026, 1, 30))
    assert (arrears.amount, arrears.bill_on) == (Decimal("1200.00"), date(2027, 3, 1))
    assert bill_on(date(2026, 3, 1), date(2026, 4, 1), "advance", 0) == date(2026, 3, 1)


def test_a_line_amount_at_half_a_cent_rounds_half_up_not_to_even() -> None:
    # 12.06 a year is 1.005 a month: commercial rounding gives 1.01 (banker's rounding would give 1.00).
    [period] = schedule(date(2026, 1, 1), date(2026, 2, 1), 1, [_line("12.06")])

    assert period.amount == Decimal("1.01")
