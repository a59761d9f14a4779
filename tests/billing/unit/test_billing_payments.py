"""Payments in the pure domain: which invoice a payment names, what it settles, what is left as credit,
and which dunning step an invoice has reached."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from avtal_billing.domain.payments import (
    LADDER,
    OpenInvoice,
    Payment,
    due_step,
    ocr_of,
    split,
    status_after,
    unmatched_reason,
)
from avtal_billing.domain.references import ocr_reference

OCR = ocr_reference(2026, 123)


def _invoice(total: str = "1250.00", paid: str = "0.00", currency: str = "SEK") -> OpenInvoice:
    return OpenInvoice(
        uuid.uuid4(), "INV-2026-000123", uuid.uuid4(), currency, Decimal(total), Decimal(paid), "issued"
    )


def _payment(amount: str = "100.00", currency: str = "SEK", reference: str | None = None) -> Payment:
    return Payment("p1", Decimal(amount), currency, date(2026, 3, 1), reference=reference)


def test_a_reference_passing_its_check_digits_is_an_ocr_number_even_with_spaces() -> None:
    assert ocr_of(f"{OCR[:4]} {OCR[4:]}") == OCR


def test_a_reference_failing_its_check_digit_is_no_ocr_number_so_it_is_never_looked_up() -> None:
    typo = OCR[:-1] + str((int(OCR[-1]) + 1) % 10)
    assert (ocr_of(typo), ocr_of(""), ocr_of(None), ocr_of("abc")) == (None, None, None, None)


def test_full_partial_and_over_payments_split_into_applied_and_credit() -> None:
    inv = _invoice("1250.00")
    assert split(Decimal("1250.00"), inv) == (Decimal("1250.00"), Decimal("0.00"))
    assert split(Decimal("400.00"), inv) == (Decimal("400.00"), Decimal("0.00"))
    assert split(Decimal("1300.50"), inv) == (Decimal("1250.00"), Decimal("50.50"))


def test_a_payment_of_an_invoice_already_paid_is_all_credit() -> None:
    assert split(Decimal("10.00"), _invoice("100.00", paid="100.00")) == (Decimal("0.00"), Decimal("10.00"))


def test_an_invoice_is_paid_only_when_its_payments_reach_the_total() -> None:
    inv = _invoice("1250.00", paid="400.00")
    assert status_after(inv, Decimal("849.99")) == "partially_paid"
    assert status_after(inv, Decimal("850.00")) == "paid"


def test_a_payment_in_another_currency_or_naming_nothing_is_not_applied_and_says_why() -> None:
    assert unmatched_reason(_payment(currency="SEK"), _invoice()) is None
    euro = unmatched_reason(_payment(currency="EUR"), _invoice(currency="SEK"))
    assert euro is not None and "EUR" in euro and "SEK" in euro
    none = unmatched_reason(_payment(reference="12345"), None)
    assert none is not None and "12345" in none


def test_the_dunning_step_reached_follows_the_ladder_days_after_due() -> None:
    assert LADDER == (7, 21, 35)
    assert [due_step(d) for d in (0, 6, 7, 20, 21, 34, 35, 400)] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert due_step(10, (3, 5)) == 2, "a configured ladder is used"
