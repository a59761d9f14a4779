"""Revenue recognition month: pure rule of avtal_reporting.domain.revenue."""

from __future__ import annotations

from datetime import date

import pytest

from avtal_reporting.domain.revenue import revenue_month


@pytest.mark.parametrize(
    ("issue", "month"),
    [
        (date(2025, 3, 1), date(2025, 3, 1)),
        (date(2025, 3, 31), date(2025, 3, 1)),
        (date(2024, 2, 29), date(2024, 2, 1)),
        (date(2025, 12, 31), date(2025, 12, 1)),
    ],
)
def test_revenue_is_recognised_in_the_first_day_of_the_invoice_month(issue: date, month: date) -> None:
    assert revenue_month(issue) == month


def test_invoices_of_the_same_month_share_one_revenue_month() -> None:
    assert {revenue_month(date(2025, 6, d)) for d in range(1, 31)} == {date(2025, 6, 1)}
