"""Renewal: a successor contract for the next term, its prices by the contract's price policy. Pure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from avtal_common.calendar_days import add_months
from avtal_common.errors import DomainError
from avtal_common.money import round_money
from avtal_contracts.domain.contracts import Contract, Line

HOWS = ("auto", "accepted", "staff")


class IndexValueMissing(DomainError):
    """An 'uplift_index' renewal needs an index value staff have not entered yet: it waits."""


@dataclass(frozen=True)
class IndexRatio:
    name: str
    base_period: int
    period: int
    ratio: Decimal  # value(period) / value(base_period)


def renewal_term(c: Contract) -> tuple[date, date]:
    """The successor's term: from the day after the last covered day, `renewal_term_months` long."""
    start = c.end_date + timedelta(days=1)
    return start, add_months(start, c.terms.renewal_term_months) - timedelta(days=1)


def index_periods(c: Contract) -> tuple[int, int]:
    """The two index periods an 'uplift_index' renewal compares: the year the term ends, and the one
    before (a term ending 2026-12-31 renews by value(2026) / value(2025))."""
    return c.end_date.year - 1, c.end_date.year


def renewed_price(ln: Line, c: Contract, index: IndexRatio | None) -> Decimal:
    """The unit price of `ln` on the successor: rounded half up to the cent, once."""
    t = c.terms
    if t.price_policy == "uplift_pct":
        assert t.uplift_pct is not None  # Terms.check demands it for this policy
        return round_money(ln.unit_price * (1 + t.uplift_pct / 100))
    if t.price_policy == "uplift_index":
        if index is None:
            first, last = index_periods(c)
            raise IndexValueMissing(
                f"contract {c.contract_no} renews by index {t.uplift_index} {first} → {last}: enter both "
                "values under /indexes and the renewal goes ahead on the next run"
            )
        return round_money(ln.unit_price * index.ratio)
    if t.price_policy == "list":
        return ln.product.annual_price
    return ln.unit_price


def check_renewable(c: Contract) -> None:
    if c.renewed_to is not None:
        return
    if c.status not in ("active", "expiring"):
        raise DomainError(f"contract {c.contract_no} is {c.status}: only an open contract can be renewed")
    if not last_day_lines(c):
        raise DomainError(f"contract {c.contract_no} covers nothing on its last day {c.end_date}: no renewal")


def last_day_lines(c: Contract) -> list[Line]:
    return [ln for ln in c.lines if ln.covers(c.end_date)]


def successor(c: Contract, contract_no: str, index: IndexRatio | None) -> Contract:
    """The next term's contract: same customer and terms, the items covered on the last day, repriced."""
    check_renewable(c)
    start, end = renewal_term(c)
    lines = [
        replace(
            ln,
            line_id=uuid.uuid4(),
            unit_price=renewed_price(ln, c, index),
            start_date=start,
            end_date=end,
            price_source="list" if c.terms.price_policy == "list" else ln.price_source,
        )
        for ln in last_day_lines(c)
    ]
    return Contract(
        uuid.uuid4(), contract_no, c.customer, c.currency, start, end, c.terms, lines, "active",
        renewed_from=c.contract_id,
    )  # fmt: skip


def renewed(c: Contract, next_contract: Contract) -> Contract:
    """`c` closed by its successor."""
    return c.next_version(status="renewed", renewed_to=next_contract.contract_id)
