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


NEW_PRICE = uuid.uuid4()


def test_a_price_cut_from_july_credits_the_old_price_and_charges_the_new_for_the_same_184_days() -> None:
    # The price change is a line ending 1 July and a line of the same item starting then (contracts model):
    # old 1200 × 184 / 365 = 604.931… credited, new 600 × 184 / 365 = 302.465… → 302.47 charged.
    lines = [_line(end=date(2026, 7, 1)), PricedLine("Care", Decimal("600.00"), NEW_PRICE, date(2026, 7, 1))]

    found = {a.line.line_id: a for a in adjustments([YEAR], date(2027, 1, 1), 12, lines, BILLED)}

    assert found[LINE].line.amount == Decimal("-604.93") and found[LINE].is_credit
    assert found[NEW_PRICE].line.amount == Decimal("302.47") and not found[NEW_PRICE].is_credit
    assert {(a.line.start, a.line.end) for a in found.values()} == {(date(2026, 7, 1), date(2026, 12, 31))}


def test_a_price_rise_from_october_charges_only_the_difference_for_the_last_92_days() -> None:
    # 1200 × 92 / 365 = 302.465… → 302.47 credited; 1500 × 92 / 365 = 378.082… → 378.08 charged.
    lines = [
        _line(end=date(2026, 10, 1)),
        PricedLine("Care", Decimal("1500.00"), NEW_PRICE, date(2026, 10, 1)),
    ]

    found = {a.line.line_id: a.line.amount for a in adjustments([YEAR], date(2027, 1, 1), 12, lines, BILLED)}

    assert found == {LINE: Decimal("-302.47"), NEW_PRICE: Decimal("378.08")}


def test_an_item_removed_from_the_contract_credits_its_whole_invoiced_period() -> None:
    [credit] = adjustments([YEAR], date(2027, 1, 1), 12, [], BILLED)

    assert credit.line.amount == Decimal("-1200.00")
    assert (credit.line.start, credit.line.end, credit.line.serials) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        "SN1",
    )


def test_terminating_at_the_end_of_february_in_a_leap_year_credits_306_of_366_days() -> None:
    # 2028: 31 + 29 = 60 days used; 1200 × 306 / 366 = 1003.278… → 1003.28.
    year = ScheduledPeriod(date(2028, 1, 1), date(2028, 12, 31), Decimal("1200.00"), "SEK", INVOICE)
    billed = {(date(2028, 1, 1), LINE): BILLED[(date(2026, 1, 1), LINE)]}

    [credit] = adjustments([year], date(2028, 3, 1), 12, [_line(end=date(2028, 3, 1))], billed)

    assert credit.line.amount == Decimal("-1003.28") and credit.line.start == date(2028, 3, 1)


def test_terminating_mid_quarter_credits_the_quarters_unused_days_over_its_actual_90() -> None:
    # Q1 2026 prepaid 300.00; last day 15 February: 16 Feb – 31 Mar is 44 of 90 days; 300 × 44 / 90 = 146.67.
    quarter = ScheduledPeriod(date(2026, 1, 1), date(2026, 3, 31), Decimal("300.00"), "SEK", INVOICE)
    billed = {(date(2026, 1, 1), LINE): Billed(Decimal("300.00"), "Care", "SN1", Decimal("25"))}

    [credit] = adjustments([quarter], date(2026, 2, 16), 3, [_line(end=date(2026, 2, 16))], billed)

    assert (credit.line.amount, credit.line.start, credit.line.end) == (
        Decimal("-146.67"),
        date(2026, 2, 16),
        date(2026, 3, 31),
    )


def test_co_termination_moving_the_contract_end_earlier_credits_every_line_of_the_period() -> None:
    # Co-terminated with another contract ending 30 September: both lines lose 1 Oct – 31 Dec (92 days).
    billed = {**BILLED, (date(2026, 1, 1), ADDED): Billed(Decimal("600.00"), "Support", "SN2", Decimal("25"))}
    lines = [_line(), PricedLine("Support", Decimal("600.00"), ADDED, None, None, "SN2")]

    found = {a.line.line_id: a.line.amount for a in adjustments([YEAR], date(2026, 10, 1), 12, lines, billed)}

    assert found == {LINE: Decimal("-302.47"), ADDED: Decimal("-151.23")}
