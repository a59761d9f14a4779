"""Price lists and the price update rule: pure, exact Decimal arithmetic."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Literal

from avtal_common.errors import DomainError

PartyKind = Literal["vendor", "distributor"]
ChangeKind = Literal["percent", "amount", "fixed", "index"]
Rounding = Literal["0.01", "0.05", "1", "0.99"]
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Party:
    """A vendor or a distributor; its price list is its price entries."""

    party_id: uuid.UUID
    kind: PartyKind
    code: str
    name: str


@dataclass(frozen=True)
class PriceEntry:
    """One dated price of one product on one party's list; effective_to is inclusive, None = open."""

    entry_id: uuid.UUID
    party_id: uuid.UUID
    product_id: uuid.UUID
    currency: str
    list_price: Decimal
    cost: Decimal | None
    effective_from: date
    effective_to: date | None = None
    job_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Selection:
    """Which current prices a job changes; empty fields do not narrow it."""

    vendor: str | None = None
    distributor: str | None = None
    category: str | None = None
    manufacturer: str | None = None
    skus: tuple[str, ...] = ()


@dataclass(frozen=True)
class PriceRule:
    """How a price changes: `value` is a percent, an amount, a fixed price or an index factor."""

    change: ChangeKind
    value: Decimal
    rounding: Rounding = "0.01"

    def __post_init__(self) -> None:
        if self.change == "index" and self.value <= 0:
            raise DomainError(f"an index factor must be above zero, got {self.value}")
        if self.change == "fixed" and self.value < 0:
            raise DomainError(f"a fixed price must be zero or more, got {self.value}")
        if self.change == "percent" and self.value <= -100:
            raise DomainError(f"a percent change must be above -100, got {self.value}")


def changed(rule: PriceRule, old: Decimal) -> Decimal:
    """The new price of `old` under the rule, rounded; never below zero."""
    raw = _raw(rule, old)
    return max(round_price(raw, rule.rounding), Decimal("0.00"))


def _raw(rule: PriceRule, old: Decimal) -> Decimal:
    if rule.change == "percent":
        return old * (Decimal(100) + rule.value) / Decimal(100)
    if rule.change == "amount":
        return old + rule.value
    if rule.change == "index":
        return old * rule.value
    return rule.value


def round_price(value: Decimal, rounding: Rounding) -> Decimal:
    """Half-up to a step of 0.01, 0.05 or 1; '.99' = the nearest price ending in .99 (ties go up)."""
    if rounding == "0.99":
        return _ninety_nine(value)
    step = Decimal(rounding)
    return ((value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step).quantize(CENT)


def _ninety_nine(value: Decimal) -> Decimal:
    # Candidates n.99 below and above the value; below zero there is no .99 price, so 0.99 is the floor.
    below = value.quantize(Decimal(1), rounding=ROUND_FLOOR) - Decimal("0.01")
    above = (value + Decimal("0.01")).quantize(Decimal(1), rounding=ROUND_CEILING) - Decimal("0.01")
    if below < 0:
        return max(above, Decimal("0.99"))
    return above if (above - value) <= (value - below) else below


@dataclass(frozen=True)
class PriceChange:
    """One row of a job: an entry's old price and the new one from the job's effective date."""

    entry: PriceEntry
    new_price: Decimal

    @property
    def old_price(self) -> Decimal:
        return self.entry.list_price

    def splits(self, effective_from: date) -> bool:
        """True when the old entry is closed and a new one written; False = changed in place."""
        return self.entry.effective_from < effective_from


def overlap_message(existing: PriceEntry) -> str:
    until = existing.effective_to.isoformat() if existing.effective_to else "open-ended"
    return (
        f"another price for this product on this list (entry {existing.entry_id}) is effective "
        f"{existing.effective_from.isoformat()} to {until}; end it first or choose dates outside it"
    )
