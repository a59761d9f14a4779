"""The calendar's pure rules: which reminders a day calls for, which status it stores, renewal prices."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from avtal_common.errors import DomainError
from avtal_contracts.domain.calendar import Reminder, due_reminders, renewal_due, status_move
from avtal_contracts.domain.contracts import Contract, LineRequest, Terms, open_contract
from avtal_contracts.domain.customers import Customer
from avtal_contracts.domain.items import new_item
from avtal_contracts.domain.products import ProductInfo
from avtal_contracts.domain.renewals import IndexRatio, IndexValueMissing, successor

CUSTOMER = Customer(uuid.uuid4(), "Acme AB", "billing@acme.example", "sv")
CARE = ProductInfo(uuid.uuid4(), "PRN-CARE", "Printer care", Decimal("1333.33"), "SEK", True, 1)
ITEM = new_item(CUSTOMER.customer_id, "HP-123", "LaserJet 4000", "SN-0001")
END = date(2026, 12, 31)


def _contract(terms: Terms | None = None, price: str = "1000.05", quantity: int = 1) -> Contract:
    req = LineRequest(CARE, ITEM, Decimal(price), quantity)
    return open_contract("C-1", CUSTOMER, "SEK", date(2026, 1, 1), END, terms or Terms(), [req])


def test_a_day_before_any_lead_time_calls_for_no_reminder() -> None:
    assert due_reminders(_contract(), date(2026, 10, 1)) == []  # 91 days before the end


def test_the_day_a_lead_time_comes_due_calls_for_that_reminder() -> None:
    assert due_reminders(_contract(), date(2026, 10, 2)) == [Reminder("term_end", END, 90)]
    assert due_reminders(_contract(), date(2026, 12, 24)) == [Reminder("term_end", END, 7)]


def test_after_downtime_only_the_latest_missed_lead_time_is_due() -> None:
    # 2026-12-01 is 30 days before the end: the 90 and 60 reminders were missed, only 30 is sent.
    assert due_reminders(_contract(), date(2026, 12, 1)) == [Reminder("term_end", END, 30)]


def test_a_notice_period_adds_reminders_counted_from_the_notice_deadline() -> None:
    c = _contract(Terms(notice_days=61))  # deadline 2026-10-31; its 30-day lead is due on 2026-10-01
    assert due_reminders(c, date(2026, 10, 2)) == [
        Reminder("term_end", END, 90),
        Reminder("notice_deadline", date(2026, 10, 31), 30),
    ]
    # After the deadline only the term end's reminders remain.
    assert due_reminders(c, date(2026, 11, 2)) == [Reminder("term_end", END, 60)]


def test_closed_and_draft_contracts_get_no_reminders() -> None:
    for status in ("draft", "expired", "renewed", "terminated"):
        assert due_reminders(replace(_contract(), status=status), date(2026, 12, 24)) == []


def test_status_moves_to_expiring_then_to_expired_the_day_after_the_last_covered_day() -> None:
    c = _contract()
    assert status_move(c, date(2026, 10, 1), 90) is None
    assert status_move(c, date(2026, 10, 2), 90) == "expiring"
    assert status_move(replace(c, status="expiring"), END, 90) is None
    assert status_move(replace(c, status="expiring"), date(2027, 1, 1), 90) == "expired"


def test_an_auto_renewing_contract_is_due_to_renew_on_its_last_day_and_is_never_expired() -> None:
    c = replace(_contract(Terms(auto_renew=True)), status="expiring")
    assert not renewal_due(c, date(2026, 12, 30))
    assert renewal_due(c, END)
    assert status_move(c, date(2027, 1, 5), 90) is None


def test_a_renewal_with_a_3_percent_uplift_rounds_each_unit_price_half_up_to_the_cent() -> None:
    terms = Terms(price_policy="uplift_pct", uplift_pct=Decimal("3"), renewal_term_months=12)
    c = _contract(terms, quantity=2)
    nxt = successor(c, "C-2", None)
    # 1000.05 * 1.03 = 1030.0515 -> 1030.05; 2 units -> 2060.10 a year.
    assert [ln.unit_price for ln in nxt.lines] == [Decimal("1030.05")]
    assert nxt.annual_value == Decimal("2060.10")
    assert (nxt.start_date, nxt.end_date) == (date(2027, 1, 1), date(2027, 12, 31))
    assert nxt.renewed_from == c.contract_id and nxt.status == "active"


def test_an_index_renewal_multiplies_by_the_ratio_and_waits_without_it() -> None:
    c = _contract(Terms(price_policy="uplift_index", uplift_index="KPI"))
    with pytest.raises(IndexValueMissing, match="KPI 2025 → 2026"):
        successor(c, "C-2", None)
    # KPI 2025 = 400.00, 2026 = 412.34: 1000.05 * 412.34 / 400 = 1030.9015... -> 1030.90
    ratio = IndexRatio("KPI", 2025, 2026, Decimal("412.34") / Decimal("400.00"))
    assert [ln.unit_price for ln in successor(c, "C-2", ratio).lines] == [Decimal("1030.90")]


def test_list_and_fixed_policies_take_the_list_price_or_keep_the_price() -> None:
    assert [ln.unit_price for ln in successor(_contract(Terms(price_policy="list")), "C", None).lines] == [
        Decimal("1333.33")
    ]
    assert [ln.unit_price for ln in successor(_contract(), "C", None).lines] == [Decimal("1000.05")]


def test_a_successor_covers_only_items_still_covered_on_the_last_day() -> None:
    c = _contract()
    ended = replace(c.lines[0], line_id=uuid.uuid4(), end_date=date(2026, 6, 30))
    kept = replace(c.lines[0], line_id=uuid.uuid4(), start_date=date(2026, 7, 1))
    nxt = successor(replace(c, lines=[ended, kept]), "C-2", None)
    assert len(nxt.lines) == 1 and nxt.lines[0].start_date == date(2027, 1, 1)


def test_a_closed_contract_cannot_be_renewed() -> None:
    with pytest.raises(DomainError, match="only an open contract"):
        successor(replace(_contract(), status="expired"), "C-2", None)
