"""Bulk operations on one contract: co-termination with hand-computed proration, edits, undo, moves."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from avtal_common.errors import DomainError
from avtal_contracts.domain import bulk
from avtal_contracts.domain.contracts import Contract, LineRequest, Terms, open_contract
from avtal_contracts.domain.customers import Customer
from avtal_contracts.domain.items import new_item
from avtal_contracts.domain.products import ProductInfo
from avtal_contracts.domain.renewals import successor

CUSTOMER = Customer(uuid.uuid4(), "Acme AB", "billing@acme.example", "sv")
CARE = ProductInfo(uuid.uuid4(), "CARE", "Care", Decimal("1200.00"), "SEK", True, 1)


def _contract(start: date, end: date, price: str = "1200.00", items: int = 1) -> Contract:
    requests = [
        LineRequest(CARE, new_item(CUSTOMER.customer_id, "HP", "DL380", f"SN-{n}"), Decimal(price))
        for n in range(items)
    ]
    return open_contract("C-1", CUSTOMER, "SEK", start, end, Terms(), requests)


@pytest.mark.parametrize(
    ("end", "new_end", "price", "impact"),
    [
        # 28-day February (2026): Feb 1..28 is one whole month of 1200/12 = 100.00
        (date(2026, 1, 31), date(2026, 2, 28), "1200.00", "100.00"),
        # 29-day February (2028, leap): Feb 1..29 is one whole month
        (date(2028, 1, 31), date(2028, 2, 29), "1200.00", "100.00"),
        # leap: Feb 1..14 is 14 of February's 29 days: 100 × 14/29 = 48.2758… → 48.28
        (date(2028, 1, 31), date(2028, 2, 14), "1200.00", "48.28"),
        # 28-day February: Feb 1..14 is 14/28 = half a month: 50.00
        (date(2026, 1, 31), date(2026, 2, 14), "1200.00", "50.00"),
        # 30-day month, cut: Apr 16..30 removed = 15 of the step's 30 days: −100 × 0.5 = −50.00
        (date(2026, 4, 30), date(2026, 4, 15), "1200.00", "-50.00"),
        # 31-day month: Aug 1..15 = 15 of 31 days: 100 × 15/31 = 48.387… → 48.39
        (date(2026, 7, 31), date(2026, 8, 15), "1200.00", "48.39"),
        # two whole months and Mar 1..15 (15/31) at 2400 a year: 200 × (2 + 15/31) = 496.774… → 496.77
        (date(2026, 12, 31), date(2027, 3, 15), "2400.00", "496.77"),
        # cut across a leap February: Feb 15..Mar 31 2028 removed; stepped from Feb 15: Mar 15 is one
        # month, Mar 15..31 (17 days) of the step Mar 15..Apr 14 (31 days): −100 × (1 + 17/31) = −154.84
        (date(2028, 3, 31), date(2028, 2, 14), "1200.00", "-154.84"),
    ],
)
def test_coterminate_prorates_the_days_gained_or_lost(
    end: date, new_end: date, price: str, impact: str
) -> None:
    before = _contract(date(2025, 1, 1), end, price)

    change = bulk.coterminate(before, new_end)

    assert change.impact == Decimal(impact)
    assert change.after.end_date == new_end
    assert [ln.end_date for ln in change.after.lines] == [new_end]
    assert change.after.version == before.version + 1


def test_coterminate_moves_lines_that_reached_the_old_end_and_cuts_those_beyond_the_new_one() -> None:
    c = _contract(date(2026, 1, 1), date(2026, 12, 31), items=3)
    early = replace(c.lines[1], end_date=date(2026, 6, 30))  # ended mid-term
    mid = replace(c.lines[2], end_date=date(2026, 10, 31))  # ends after the new end
    c = replace(c, lines=[c.lines[0], early, mid])

    change = bulk.coterminate(c, date(2026, 9, 30))

    assert [ln.end_date for ln in change.after.lines] == [
        date(2026, 9, 30),
        date(2026, 6, 30),
        date(2026, 9, 30),
    ]
    # Oct 1..Dec 31 (3 months) of the first line, Oct 1..31 (1 month) of the third: −(300 + 100)
    assert change.impact == Decimal("-400.00")


@pytest.mark.parametrize("status", ["terminated", "expired", "renewed"])
def test_a_closed_contract_is_not_coterminated(status: str) -> None:
    c = replace(_contract(date(2026, 1, 1), date(2026, 12, 31)), status=status)

    with pytest.raises(DomainError, match=status):
        bulk.coterminate(c, date(2027, 3, 31))


def test_coterminate_refuses_an_end_before_the_start_or_a_line_starting_after_it() -> None:
    c = _contract(date(2026, 1, 1), date(2026, 12, 31))
    late = replace(c, lines=[replace(c.lines[0], start_date=date(2026, 11, 1))])

    with pytest.raises(DomainError, match="starts 2026-01-01"):
        bulk.coterminate(c, date(2025, 12, 31))
    with pytest.raises(DomainError, match="remove it first"):
        bulk.coterminate(late, date(2026, 10, 31))


def test_the_target_date_is_chosen_or_the_latest_or_earliest_end_of_the_selection() -> None:
    ends = [date(2026, 3, 31), date(2027, 1, 31), date(2026, 9, 30)]

    assert bulk.coterminate_date("latest", None, ends) == date(2027, 1, 31)
    assert bulk.coterminate_date("earliest", None, ends) == date(2026, 3, 31)
    assert bulk.coterminate_date("date", date(2026, 6, 30), ends) == date(2026, 6, 30)
    with pytest.raises(DomainError):
        bulk.coterminate_date("date", None, ends)


def test_a_bulk_edit_changes_the_terms_only_and_checks_them() -> None:
    c = _contract(date(2026, 1, 1), date(2026, 12, 31))

    change = bulk.edit_terms(c, {"billing_interval_months": 3, "auto_renew": True})

    assert change.after.terms == replace(c.terms, billing_interval_months=3, auto_renew=True)
    assert change.after.lines == c.lines and change.impact == 0
    with pytest.raises(DomainError, match="uplift_pct"):
        bulk.edit_terms(c, {"price_policy": "uplift_pct"})


def test_undo_restores_end_dates_and_terms_unless_the_contract_changed_since() -> None:
    before = _contract(date(2026, 1, 1), date(2026, 12, 31))
    done = bulk.coterminate(before, date(2027, 3, 31)).after
    previous = bulk.Previous(before.end_date, {ln.line_id: ln.end_date for ln in before.lines}, before.terms)

    undone = bulk.restore(done, previous, done.version)

    assert undone.after.end_date == before.end_date
    assert [ln.end_date for ln in undone.after.lines] == [before.end_date]
    assert undone.after.version == done.version + 1
    assert undone.impact == Decimal("-300.00")  # Jan 1..Mar 31 2027 given back
    with pytest.raises(DomainError, match="changed after the job"):
        bulk.restore(replace(done, version=done.version + 1), previous, done.version)


def test_moved_items_end_the_day_before_on_the_source_and_start_on_the_target() -> None:
    source = _contract(date(2026, 1, 1), date(2026, 12, 31), items=2)
    target = _contract(date(2026, 1, 1), date(2026, 12, 31))
    moving = {source.lines[0].item.item_id}

    out, moved = bulk.move_out(source, moving, date(2026, 7, 1))
    into = bulk.move_in(target, moved, date(2026, 7, 1))

    assert [ln.end_date for ln in out.after.lines] == [date(2026, 6, 30), date(2026, 12, 31)]
    assert out.impact == Decimal("-600.00") and into.impact == Decimal("600.00")  # Jul..Dec
    added = into.after.lines[-1]
    assert (added.item, added.start_date, added.end_date) == (
        moved[0].item,
        date(2026, 7, 1),
        date(2026, 12, 31),
    )


def test_a_bulk_renewal_is_the_calendars_successor_with_its_whole_term_as_impact() -> None:
    c = _contract(date(2026, 1, 1), date(2026, 12, 31))
    c = replace(c, terms=Terms(price_policy="uplift_pct", uplift_pct=Decimal("3"), renewal_term_months=12))

    change = bulk.renewal_change(c, successor(c, "C-2", None))

    nxt = change.after.renewed_to
    assert change.after.status == "renewed" and nxt is not None
    assert change.impact == Decimal("1236.00")  # 1200 × 1.03 over the successor's whole year
    assert change.summary == "renewed as C-2 for 2027-01-01..2027-12-31"


def test_split_by_site_moves_the_other_sites_lines_to_new_contracts_from_the_effective_date() -> None:
    c = _contract(date(2026, 1, 1), date(2026, 12, 31), items=3)
    north, south = uuid.UUID(int=1), uuid.UUID(int=2)
    sited = [
        replace(ln, item=replace(ln.item, site_id=s))
        for ln, s in zip(c.lines, [north, south, south], strict=True)
    ]
    c = replace(c, lines=sited)

    change, made = bulk.split(c, "site", date(2026, 7, 1), ["C-9"])

    assert [ln.end_date for ln in change.after.lines] == [
        date(2026, 12, 31),
        date(2026, 6, 30),
        date(2026, 6, 30),
    ]
    assert [(m.contract_no, m.start_date, m.end_date) for m in made] == [
        ("C-9", date(2026, 7, 1), date(2026, 12, 31))
    ]
    assert {ln.item.site_id for ln in made[0].lines} == {south} and len(made[0].lines) == 2
    assert change.impact == Decimal("-1200.00")  # two items' Jul..Dec leave this contract
    with pytest.raises(DomainError, match="one product only"):
        bulk.split(c, "product", date(2026, 7, 1), [])
