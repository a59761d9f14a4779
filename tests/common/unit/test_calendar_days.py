"""Month steps and day-based proration, against hand-computed cases (28/29/30/31-day months)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from avtal_common.calendar_days import add_months, month_share, prorate


@pytest.mark.parametrize(
    ("first", "last", "share"),
    [
        (date(2026, 1, 1), date(2026, 12, 31), Decimal(12)),  # a calendar year
        (date(2026, 1, 1), date(2026, 1, 31), Decimal(1)),
        (date(2026, 2, 1), date(2026, 2, 14), Decimal(14) / 28),  # 28-day February
        (date(2024, 2, 1), date(2024, 2, 14), Decimal(14) / 29),  # leap February
        (date(2026, 4, 1), date(2026, 4, 15), Decimal(15) / 30),  # 30-day month
        (date(2026, 3, 1), date(2026, 3, 10), Decimal(10) / 31),  # 31-day month
        (date(2026, 1, 15), date(2026, 3, 20), 2 + Decimal(6) / 31),  # 15 Jan-14 Mar, then 15-20 Mar
        (date(2026, 3, 2), date(2026, 3, 1), Decimal(0)),  # nothing
    ],
)
def test_month_share_counts_whole_month_steps_and_the_rest_by_actual_days(
    first: date, last: date, share: Decimal
) -> None:
    assert month_share(first, last) == share


def test_a_month_step_from_the_31st_ends_on_the_last_day_of_a_shorter_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert month_share(date(2024, 1, 31), date(2024, 2, 28)) == 1


@pytest.mark.parametrize(
    ("first", "last", "amount"),
    [
        (date(2026, 1, 1), date(2026, 12, 31), Decimal("1200.00")),
        (date(2026, 2, 1), date(2026, 2, 14), Decimal("50.00")),  # 100 * 14/28
        (date(2024, 2, 1), date(2024, 2, 14), Decimal("48.28")),  # 100 * 14/29 = 48.275.. half up
        (date(2026, 6, 1), date(2026, 6, 10), Decimal("33.33")),  # 100 * 10/30
    ],
)
def test_prorate_is_the_yearly_price_over_the_months_rounded_half_up(
    first: date, last: date, amount: Decimal
) -> None:
    assert prorate(Decimal("1200.00"), first, last) == amount
