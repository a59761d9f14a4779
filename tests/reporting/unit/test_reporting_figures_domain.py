"""The figure functions on their own: recognition sums exactly, the folded bridge equals the bridge from
series and keeps M5's invariant, and moving a customer's contribution by new − old is the same as
folding from scratch."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from avtal_reporting.domain.figures import (
    MOVES,
    ZERO,
    add_months,
    bridge,
    contributions,
    delta,
    recognize,
    series,
)

D = Decimal
amounts = st.decimals(min_value=D("-99999.99"), max_value=D("99999.99"), places=2)
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
spans = st.tuples(days, st.integers(min_value=0, max_value=900), st.decimals(min_value=D("0.01"),
                  max_value=D("9999.99"), places=2))  # fmt: skip


def test_a_quarter_is_recognized_by_its_days_with_cumulative_rounding() -> None:
    assert recognize(D("3000.00"), date(2026, 1, 1), date(2026, 3, 31), date(2026, 1, 1)) == {
        date(2026, 1, 1): D("1033.33"),
        date(2026, 2, 1): D("933.34"),
        date(2026, 3, 1): D("1033.33"),
    }


@given(amounts, days, st.integers(min_value=0, max_value=1200))
def test_recognized_months_always_sum_to_the_amount(amount: Decimal, start: date, length: int) -> None:
    months = recognize(amount, start, start + timedelta(days=length), start)
    assert sum(months.values(), ZERO) == amount
    assert list(months) == sorted(months)


def _fold(customers: dict[uuid.UUID, dict[date, Decimal]]) -> dict[date, list[Decimal]]:
    totals: dict[date, list[Decimal]] = {}
    for s in customers.values():
        for m, row in contributions(s).items():
            t = totals.setdefault(m, [ZERO] * len(MOVES))
            for i, v in enumerate(row):
                t[i] += v
    return totals


@given(st.lists(st.lists(spans, min_size=1, max_size=4), min_size=1, max_size=5))
def test_the_folded_bridge_equals_the_bridge_from_series_and_adds_up(raw: list[list[tuple]]) -> None:
    customers = {
        uuid.uuid4(): series((s, s + timedelta(days=n), mrr) for s, n, mrr in lines) for lines in raw
    }
    months = [add_months(date(2024, 1, 1), i) for i in range(72)]
    firsts = {c: min(s) for c, s in customers.items() if s}
    expected = bridge(customers, firsts, months)
    folded = _fold(customers)
    zero = [ZERO] * len(MOVES)
    for e in expected:
        row, prev = folded.get(e.month, zero), folded.get(add_months(e.month, -1), zero)
        assert (prev[0], *row[:6], int(row[6])) == (e.mrr_start, e.mrr, e.new, e.reactivation, e.expansion,
                                                   e.contraction, e.churn, e.customers)  # fmt: skip
        assert e.holds()


@given(st.lists(spans, min_size=1, max_size=4), st.lists(spans, min_size=0, max_size=4))
def test_moving_a_customer_by_new_minus_old_equals_folding_it_anew(
    before: list[tuple], after: list[tuple]
) -> None:
    old = series((s, s + timedelta(days=n), mrr) for s, n, mrr in before)
    new = series((s, s + timedelta(days=n), mrr) for s, n, mrr in after)
    moved = {m: list(v) for m, v in contributions(old).items()}
    for m, d in delta(contributions(old), contributions(new)).items():
        row = moved.setdefault(m, [ZERO] * len(MOVES))
        for i, v in enumerate(d):
            row[i] += v
    assert {m: v for m, v in moved.items() if any(v)} == {m: list(v) for m, v in contributions(new).items()}


def test_a_rebuild_is_refused_when_the_topics_hold_less_than_the_read_models_were_built_from() -> None:
    from avtal_reporting.rebuild import history_missing

    replayed = {"documents": 12, "contracts": 5}
    assert history_missing(replayed, {"documents": 12, "contracts": 5}) is None
    assert history_missing(replayed, {"documents": 3, "contracts": 0}) is None
    why = history_missing(replayed, {"documents": 13, "contracts": 6})
    assert why is not None
    assert "documents: 13 kept, 12 on the topics" in why and "contracts: 6 kept, 5 on the topics" in why
    assert "--force" in why
