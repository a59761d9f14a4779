"""Changes to periods already invoiced: hand-computed credits and charges (domain/adjustments.py) and the
documents billing issues for them (credit notes with their own numbers, an extra invoice)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from avtal_billing.domain.adjustments import Billed, adjustments
from avtal_billing.domain.schedules import PricedLine, ScheduledPeriod

LINE, ADDED = uuid.uuid4(), uuid.uuid4()
INVOICE = uuid.uuid4()
# An annual period, 2026, prepaid: 1200.00 billed for the line.
YEAR = ScheduledPeriod(date(2026, 1, 1), date(2026, 12, 31), Decimal("1200.00"), "SEK", INVOICE)
BILLED = {(date(2026, 1, 1), LINE): Billed(Decimal("1200.00"), "Care", "SN1", Decimal("25"))}


def _line(start: date | None = None, end: date | None = None, line_id: uuid.UUID = LINE) -> PricedLine:
    return PricedLine("Care", Decimal("1200.00"), line_id, start, end, "SN1")


def test_terminating_a_prepaid_year_at_the_end_of_march_credits_the_unused_275_days() -> None:
    # Last covered day 31 March: 90 of 365 days used; 1200 × 275 / 365 = 904.109… → 904.11 credited.
    found = adjustments([YEAR], date(2026, 4, 1), 12, [_line(end=date(2026, 4, 1))], BILLED)

    [credit] = found
    assert credit.is_credit and credit.line.amount == Decimal("-904.11")
    assert (credit.line.start, credit.line.end) == (date(2026, 4, 1), date(2026, 12, 31))
    assert credit.period.invoice_id == INVOICE and credit.line.vat_rate == Decimal("25")


def test_an_item_added_from_july_inside_the_invoiced_year_is_charged_for_its_days() -> None:
    # From 1 July: 184 of 365 days; 1200 × 184 / 365 = 604.931… → 604.93.
    lines = [_line(), _line(start=date(2026, 7, 1), line_id=ADDED)]

    [charge] = adjustments([YEAR], date(2027, 1, 1), 12, lines, BILLED)

    assert not charge.is_credit and charge.line.amount == Decimal("604.93")
    assert (charge.line.line_id, charge.line.start) == (ADDED, date(2026, 7, 1))


def test_the_same_state_again_or_a_change_after_the_invoiced_period_settles_nothing() -> None:
    assert adjustments([YEAR], date(2027, 1, 1), 12, [_line()], BILLED) == []
    assert adjustments([YEAR], date(2027, 6, 1), 12, [_line()], BILLED) == [], "the next year is unbilled"


def test_what_was_credited_before_counts_so_a_repeated_termination_credits_nothing_more() -> None:
    billed = {
        (date(2026, 1, 1), LINE): Billed(Decimal("1200.00") - Decimal("904.11"), "Care", "SN1", Decimal("25"))
    }

    assert adjustments([YEAR], date(2026, 4, 1), 12, [_line(end=date(2026, 4, 1))], billed) == []
