"""Price rules and rounding: exact Decimal arithmetic, the numbers derived by hand in each case."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avtal_catalog.domain.jobs import PriceJob, check_can_apply, check_can_revert, plan, revenue_impact
from avtal_catalog.domain.prices import PriceChange, PriceEntry, PriceRule, Selection, changed, round_price
from avtal_catalog.store.search import prefix_query
from avtal_common.errors import Conflict, DomainError

PRICES = st.decimals(min_value=D("0.00"), max_value=D("999999.99"), places=2)


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        (D("10.004"), "0.01", D("10.00")),
        (D("10.005"), "0.01", D("10.01")),  # half up, never banker's
        (D("10.024"), "0.05", D("10.00")),  # 200.48 steps → 200
        (D("10.025"), "0.05", D("10.05")),  # 200.5 steps → 201 (half up)
        (D("10.49"), "1", D("10.00")),
        (D("10.50"), "1", D("11.00")),
        (D("10.40"), "0.99", D("9.99")),  # 9.99 is 0.41 away, 10.99 is 0.59
        (D("10.49"), "0.99", D("10.99")),  # a tie (0.50 either way) goes up
        (D("10.99"), "0.99", D("10.99")),
        (D("0.30"), "0.99", D("0.99")),  # no .99 price below 0.99
    ],
)
def test_rounding_lands_on_the_nearest_step_half_up(value: D, rounding: str, expected: D) -> None:
    assert round_price(value, rounding) == expected  # type: ignore[arg-type]  # a Rounding literal


@pytest.mark.parametrize(
    ("rule", "old", "expected"),
    [
        (PriceRule("percent", D("5")), D("1000.00"), D("1050.00")),
        (PriceRule("percent", D("-12.5")), D("80.00"), D("70.00")),
        (PriceRule("amount", D("49.50")), D("1000.00"), D("1049.50")),
        (PriceRule("amount", D("-2000")), D("1000.00"), D("0.00")),  # never below zero
        (PriceRule("fixed", D("899")), D("1000.00"), D("899.00")),
        (PriceRule("index", D("1.042")), D("1234.56"), D("1286.41")),  # 1286.41152 → .41
        (PriceRule("percent", D("3"), "0.99"), D("1000.00"), D("1029.99")),  # 1030.00 → 1029.99
        (PriceRule("index", D("1.042"), "0.05"), D("1234.56"), D("1286.40")),  # 25728.2 steps → 25728
    ],
)
def test_each_kind_of_change_gives_the_hand_computed_price(rule: PriceRule, old: D, expected: D) -> None:
    assert changed(rule, old) == expected


@pytest.mark.parametrize(
    "rule_args",
    [("index", D("0")), ("fixed", D("-1")), ("percent", D("-100"))],
)
def test_a_rule_that_would_make_no_sense_is_refused(rule_args: tuple[str, D]) -> None:
    with pytest.raises(DomainError):
        PriceRule(*rule_args)  # type: ignore[arg-type]  # a ChangeKind literal


@given(PRICES, st.sampled_from(["0.01", "0.05", "1", "0.99"]))
def test_a_rounded_price_is_on_its_step_and_within_half_a_step(value: D, rounding: str) -> None:
    rounded = round_price(value, rounding)  # type: ignore[arg-type]  # a Rounding literal
    if rounding == "0.99":
        assert rounded % 1 == D("0.99") and (abs(rounded - value) <= D("0.50") or value < D("0.49"))
    else:
        assert rounded % D(rounding) == 0 and abs(rounded - value) <= D(rounding) / 2


@given(PRICES, st.decimals(min_value=D("-99"), max_value=D("500"), places=2))
def test_a_percent_change_is_exact_to_the_cent(old: D, percent: D) -> None:
    new = changed(PriceRule("percent", percent), old)
    assert new == max((old * (100 + percent) / 100).quantize(D("0.01"), rounding="ROUND_HALF_UP"), D(0))


def _entry(price: str, product: uuid.UUID | None = None) -> PriceEntry:
    return PriceEntry(
        uuid.uuid4(), uuid.uuid4(), product or uuid.uuid4(), "SEK", D(price), None, date(2026, 1, 1)
    )


def test_the_plan_leaves_out_prices_the_rule_does_not_change() -> None:
    same, other = _entry("899.00"), _entry("1000.00")

    rows = plan(PriceRule("fixed", D("899")), [same, other])

    assert [(r.entry, r.new_price) for r in rows] == [(other, D("899.00"))]


def test_an_entry_starting_on_the_effective_date_is_changed_in_place_an_older_one_is_split() -> None:
    change = PriceChange(_entry("10.00"), D("11.00"))
    assert change.splits(date(2026, 6, 1)) and not change.splits(date(2026, 1, 1))


def test_revenue_impact_applies_each_products_relative_change_to_its_active_lines() -> None:
    a, b, unused = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    changes = [
        PriceChange(_entry("100.00", a), D("110.00")),  # +10 %
        PriceChange(_entry("200.00", b), D("190.00")),  # -5 %
        PriceChange(_entry("50.00", unused), D("60.00")),
    ]
    usage = {a: ("SEK", D("5000.00")), b: ("SEK", D("1000.00"))}

    # 5000 × 0.10 − 1000 × 0.05 = 500 − 50
    assert revenue_impact(changes, usage) == {"SEK": D("450.00")}


def _job(status: str) -> PriceJob:
    return PriceJob(uuid.uuid4(), status, Selection(), PriceRule("percent", D(1)), date(2027, 1, 1), "me")  # type: ignore[arg-type]  # a JobStatus literal


def test_only_a_previewed_job_is_applied_and_only_an_applied_one_reverted() -> None:
    check_can_apply(_job("previewed"))
    check_can_revert(_job("applied"))
    for status in ("applied", "reverted"):
        with pytest.raises(Conflict):
            check_can_apply(_job(status))
    for status in ("previewed", "reverted"):
        with pytest.raises(Conflict):
            check_can_revert(_job(status))


def test_a_search_text_becomes_prefix_terms_of_letters_and_digits_only() -> None:
    assert prefix_query("PowerEdge R47") == "poweredge:* & r47:*"
    assert prefix_query("DELL-R740_gold") == "dell:* & r740:* & gold:*"
    assert prefix_query("a&b | !c:*") == "a:* & b:* & c:*"
    assert prefix_query("&& ||") is None
