"""Workflow operations on one contract (avtal_contracts.domain.amendments): their effect on the lines and
the revenue of the rest of the term, against hand-computed proration (28/29/30/31-day months)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from avtal_common.errors import DomainError
from avtal_contracts.domain import amendments as ops
from avtal_contracts.domain.contracts import Contract, LineRequest, Terms, open_contract
from avtal_contracts.domain.customers import Customer
from avtal_contracts.domain.items import new_item
from avtal_contracts.domain.products import ProductInfo

CUSTOMER = Customer(uuid.uuid4(), "Acme AB", "billing@acme.example", "sv")
CARE = ProductInfo(uuid.uuid4(), "CARE", "Care", Decimal("1200.00"), "SEK", True, 1)  # 100.00 a month
TODAY = date(2024, 1, 10)


def _item(serial: str):
    return new_item(CUSTOMER.customer_id, "HP", "LJ", serial)


def _contract(start: date, end: date, *serials: str, price: str | None = None) -> Contract:
    requests = [LineRequest(CARE, _item(s), Decimal(price) if price else None) for s in serials or ("S1",)]
    return open_contract("C-000001", CUSTOMER, "SEK", start, end, Terms(), requests)


@pytest.mark.parametrize(
    ("start", "end", "effective", "impact"),
    [
        # 14 days of a 28-day step (15 Feb - 14 Mar 2025) are half a month: 1200 / 12 * 0.5
        (date(2025, 1, 1), date(2025, 2, 28), date(2025, 2, 15), "50.00"),
        # leap year: 15 days of the 29-day step 15 Feb - 14 Mar 2024: 100 * 15/29 = 51.724
        (date(2024, 1, 1), date(2024, 2, 29), date(2024, 2, 15), "51.72"),
        # 15 days of a 30-day step (16 Apr - 15 May): half a month
        (date(2025, 1, 1), date(2025, 4, 30), date(2025, 4, 16), "50.00"),
        # 15 days of a 31-day step (17 Jan - 16 Feb): 100 * 15/31 = 48.387
        (date(2025, 1, 1), date(2025, 1, 31), date(2025, 1, 17), "48.39"),
    ],
)
def test_adding_an_item_mid_term_bills_the_rest_of_the_term_prorated_by_day(
    start: date, end: date, effective: date, impact: str
) -> None:
    c = _contract(start, end)

    a = ops.add_items(c, [LineRequest(CARE, _item("NEW"))], effective, TODAY)

    assert a.revenue_impact == Decimal(impact)
    added = [ch.after for ch in a.changes if ch.change == "added"]
    assert [(ln.item.serial_no, ln.start_date, ln.end_date) for ln in added] == [("NEW", effective, end)]  # type: ignore[union-attr]
    assert a.after.version == c.version + 1
    assert a.after.annual_value == Decimal("2400.00")


def test_removing_an_item_ends_its_line_the_day_before_and_credits_the_rest_of_the_term() -> None:
    c = _contract(date(2025, 1, 1), date(2025, 1, 31), "S1", "S2")
    s1 = c.lines[0]

    a = ops.remove_items(c, [s1.item.item_id], date(2025, 1, 17), TODAY)

    ended = next(ln for ln in a.after.lines if ln.line_id == s1.line_id)
    assert ended.end_date == date(2025, 1, 16)
    assert a.revenue_impact == Decimal("-48.39")  # 15 of 31 days of 100.00
    assert [ch.change for ch in a.changes] == ["ended"]


def test_removing_an_item_whose_line_has_not_started_deletes_that_line() -> None:
    c = _contract(date(2025, 1, 1), date(2025, 12, 31), "S1", "S2")
    later = ops.add_items(c, [LineRequest(CARE, _item("LATE"))], date(2025, 6, 1), TODAY).after
    late = next(ln for ln in later.lines if ln.item.serial_no == "LATE")

    a = ops.remove_items(later, [late.item.item_id], date(2025, 3, 1), TODAY)

    assert late.line_id not in {ln.line_id for ln in a.after.lines}
    assert [ch.change for ch in a.changes] == ["deleted"]
    assert a.revenue_impact == Decimal("-700.00")  # June to December: 7 months of 100.00


def test_a_mid_term_price_change_splits_the_line_and_the_older_part_keeps_its_price() -> None:
    c = _contract(date(2024, 1, 1), date(2024, 12, 31))
    line = c.lines[0]

    a = ops.change_prices(
        c, ops.PriceChange(prices={line.line_id: Decimal("1800.00")}), date(2024, 2, 15), TODAY
    )

    parts = sorted(a.after.lines, key=lambda ln: ln.start_date)
    assert [(p.start_date, p.end_date, p.unit_price) for p in parts] == [
        (date(2024, 1, 1), date(2024, 2, 14), Decimal("1200.00")),
        (date(2024, 2, 15), date(2024, 12, 31), Decimal("1800.00")),
    ]
    assert parts[1].price_source == "override"
    # 15 Feb - 31 Dec 2024 = 10 months + 17 days of the 31-day step 15 Dec - 14 Jan:
    # before 100 * (10 + 17/31) = 1054.84, after 150 * (10 + 17/31) = 1582.26
    assert (a.revenue_before, a.revenue_after, a.revenue_impact) == (
        Decimal("1054.84"),
        Decimal("1582.26"),
        Decimal("527.42"),
    )
    assert a.after.annual_value == Decimal("1800.00")


def test_a_price_change_by_percent_rounds_each_new_unit_price_to_the_cent() -> None:
    c = _contract(date(2025, 1, 1), date(2025, 12, 31), "S1", "S2", price="999.99")

    a = ops.change_prices(c, ops.PriceChange(percent=Decimal("3")), date(2025, 1, 1), TODAY)

    # from the first day: repriced in place, no split; 999.99 * 1.03 = 1029.9897
    assert sorted(ln.unit_price for ln in a.after.lines) == [Decimal("1029.99")] * 2
    assert [ch.change for ch in a.changes] == ["repriced", "repriced"]


def test_a_price_change_that_changes_nothing_is_refused() -> None:
    c = _contract(date(2025, 1, 1), date(2025, 12, 31))

    with pytest.raises(ops.NothingToChange):
        ops.change_prices(
            c, ops.PriceChange(prices={c.lines[0].line_id: Decimal("1200.00")}), date(2025, 3, 1), TODAY
        )


def test_terminating_cuts_every_line_to_the_last_covered_day_and_credits_the_rest() -> None:
    c = _contract(date(2024, 1, 1), date(2024, 12, 31), "S1", "S2")

    a = ops.terminate(c, date(2024, 11, 30), "customer sold the machines", TODAY)

    assert a.after.status == "terminated"
    assert (a.after.end_date, a.after.terminated_on) == (date(2024, 11, 30), date(2024, 11, 30))
    assert a.after.termination_reason == "customer sold the machines"
    assert {ln.end_date for ln in a.after.lines} == {date(2024, 11, 30)}
    assert a.impact_from == date(2024, 12, 1)
    assert a.revenue_impact == Decimal("-200.00")  # December, two lines of 100.00


def test_a_terminated_contract_cannot_be_amended() -> None:
    c = ops.terminate(
        _contract(date(2025, 1, 1), date(2025, 12, 31)), date(2025, 6, 30), "moved", TODAY
    ).after

    with pytest.raises(DomainError, match="terminated: it cannot be amended"):
        ops.add_items(c, [LineRequest(CARE, _item("X"))], date(2025, 3, 1), TODAY)


def test_a_contract_past_its_last_day_counts_as_expired_and_cannot_be_amended() -> None:
    c = _contract(date(2024, 1, 1), date(2024, 12, 31))

    with pytest.raises(DomainError, match="expired"):
        ops.terminate(c, date(2024, 12, 1), "late", today=date(2025, 1, 1))


@pytest.mark.parametrize("effective", [date(2024, 12, 31), date(2026, 1, 1)])
def test_an_effective_date_outside_the_term_is_refused(effective: date) -> None:
    c = _contract(date(2025, 1, 1), date(2025, 12, 31))

    with pytest.raises(DomainError, match=r"outside the term 2025-01-01\.\.2025-12-31"):
        ops.remove_items(c, [c.lines[0].item.item_id], effective, TODAY)


def test_removing_the_last_covered_item_is_refused_in_favour_of_terminating() -> None:
    c = _contract(date(2025, 1, 1), date(2025, 12, 31))

    with pytest.raises(DomainError, match="terminate it instead"):
        ops.remove_items(c, [c.lines[0].item.item_id], date(2025, 5, 1), TODAY)
