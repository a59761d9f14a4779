"""Invoice numbers and due dates."""

from __future__ import annotations

from datetime import date

import pytest

from avtal_billing.domain.invoices import due_date, invoice_number


@pytest.mark.parametrize(
    ("year", "n", "expected"),
    [(2025, 1, "INV-2025-000001"), (2025, 42, "INV-2025-000042"), (2026, 999999, "INV-2026-999999")],
)
def test_invoice_numbers_carry_the_year_and_a_zero_padded_sequence(year: int, n: int, expected: str) -> None:
    assert invoice_number(year, n) == expected


def test_invoice_numbers_sort_as_text_in_sequence_order() -> None:
    numbers = [invoice_number(2025, n) for n in (1, 2, 9, 10, 11, 99, 100, 1000, 123456)]

    assert sorted(numbers) == numbers
    assert len(set(numbers)) == len(numbers)


def test_invoice_numbers_of_a_later_year_sort_after_an_earlier_year() -> None:
    assert invoice_number(2025, 999999) < invoice_number(2026, 1)


@pytest.mark.parametrize(
    ("issue", "terms", "expected"),
    [
        (date(2025, 3, 1), 30, date(2025, 3, 31)),
        (date(2025, 12, 20), 30, date(2026, 1, 19)),
        (date(2024, 2, 15), 14, date(2024, 2, 29)),
        (date(2025, 2, 15), 14, date(2025, 3, 1)),
        (date(2025, 6, 1), 0, date(2025, 6, 1)),
    ],
)
def test_the_due_date_is_the_issue_date_plus_the_payment_terms_in_days(
    issue: date, terms: int, expected: date
) -> None:
    assert due_date(issue, terms) == expected
