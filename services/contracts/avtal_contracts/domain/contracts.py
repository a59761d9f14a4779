"""Contracts: a customer's covered items, each priced by a product, billed at an interval. Pure rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from avtal_common.errors import DomainError
from avtal_common.money import round_money
from avtal_contracts.domain.customers import Customer
from avtal_contracts.domain.items import Item
from avtal_contracts.domain.products import ProductInfo

BILLING_INTERVALS = (1, 3, 6, 12)
BILLING_TIMINGS = ("advance", "arrears")
PRICE_POLICIES = ("fixed", "list", "uplift_pct", "uplift_index")
# Open: the contract still covers (or will); closed: nothing changes it any more but its history.
OPEN_STATUSES = ("draft", "active", "expiring")
CLOSED_STATUSES = ("renewed", "expired", "terminated")


@dataclass(frozen=True)
class Terms:
    """How a contract is billed, priced and renewed."""

    billing_interval_months: int = 12
    billing_timing: str = "advance"
    price_policy: str = "fixed"
    uplift_pct: Decimal | None = None  # for 'uplift_pct': the yearly uplift applied at renewal
    uplift_index: str | None = None  # for 'uplift_index': the index series' name
    auto_renew: bool = False
    renewal_term_months: int = 12
    notice_days: int = 0  # the customer must give notice this many days before the term end

    def check(self) -> Terms:
        if self.billing_interval_months not in BILLING_INTERVALS:
            raise DomainError(f"billing_interval_months must be one of {BILLING_INTERVALS}")
        if self.billing_timing not in BILLING_TIMINGS:
            raise DomainError(f"billing_timing must be one of {BILLING_TIMINGS}")
        if self.price_policy not in PRICE_POLICIES:
            raise DomainError(f"price_policy must be one of {PRICE_POLICIES}")
        if self.price_policy == "uplift_pct" and self.uplift_pct is None:
            raise DomainError("price_policy uplift_pct needs uplift_pct (a percentage, e.g. 3)")
        if self.price_policy == "uplift_index" and not self.uplift_index:
            raise DomainError("price_policy uplift_index needs uplift_index (the index series' name)")
        return self


@dataclass(frozen=True)
class Line:
    """One covered item under one product, from `start_date` to `end_date` (both covered)."""

    line_id: uuid.UUID
    product: ProductInfo
    item: Item
    unit_price: Decimal  # per unit and year
    start_date: date
    end_date: date
    quantity: int = 1
    price_source: str = "list"  # 'list' (from the price list at signing) or 'override'

    @property
    def annual_price(self) -> Decimal:
        return self.unit_price * self.quantity

    def covers(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


@dataclass(frozen=True)
class Contract:
    contract_id: uuid.UUID
    contract_no: str
    customer: Customer
    currency: str
    start_date: date
    end_date: date  # the last covered day of the term
    terms: Terms = field(default_factory=Terms)
    lines: list[Line] = field(default_factory=list)
    status: str = "active"
    version: int = 1
    terminated_on: date | None = None
    termination_reason: str | None = None
    renewed_from: uuid.UUID | None = None
    renewed_to: uuid.UUID | None = None
    external_ref: str | None = None

    @property
    def billing_interval_months(self) -> int:
        return self.terms.billing_interval_months

    @property
    def annual_value(self) -> Decimal:
        """The yearly value of the lines that cover the last day of the term (or of the contract's
        last lines, when none reaches it)."""
        return sum((ln.annual_price for ln in self.current_lines()), Decimal("0"))

    @property
    def notice_deadline(self) -> date:
        """The last day the customer can give notice before a tacit renewal."""
        return self.end_date - timedelta(days=self.terms.notice_days)

    def current_lines(self) -> list[Line]:
        reaching = [ln for ln in self.lines if ln.end_date >= self.end_date]
        return reaching or self.lines

    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def next_version(self, **changes: object) -> Contract:
        """This contract with `changes` applied and its version one higher (every change is one)."""
        return replace(self, version=self.version + 1, **changes)  # type: ignore[arg-type]


def effective_status(c: Contract, today: date, expiring_days: int = 90) -> str:
    """The status the calendar gives `c` on `today`: the daily job stores it, and lists show it even
    before the job has run. An open contract is expired after its last covered day and expiring within
    `expiring_days` of it (or of its notice deadline)."""
    if not c.is_open() or c.status == "draft":
        return c.status
    if today > c.end_date:
        return "expired"
    if today >= min(c.end_date, c.notice_deadline) - timedelta(days=expiring_days):
        return "expiring"
    return "active"


@dataclass(frozen=True)
class LineRequest:
    product: ProductInfo
    item: Item
    annual_price: Decimal | None = None  # the unit price per year, overriding the list price
    quantity: int = 1
    start_date: date | None = None  # default: the contract's start
    end_date: date | None = None  # default: the contract's end


def open_contract(
    contract_no: str,
    customer: Customer,
    currency: str,
    start: date,
    end: date,
    terms: Terms,
    requests: list[LineRequest],
    status: str = "active",
) -> Contract:
    if end < start:
        raise DomainError(f"end_date {end} (the last covered day) must not be before start_date {start}")
    if status not in ("draft", "active"):
        raise DomainError("a new contract is draft or active")
    if not requests:
        raise DomainError("a contract needs at least one covered item")
    lines = [new_line(r, customer, currency, start, end) for r in requests]
    check_no_overlap_within(lines)
    return Contract(uuid.uuid4(), contract_no, customer, currency, start, end, terms.check(), lines, status)


def new_line(r: LineRequest, customer: Customer, currency: str, start: date, end: date) -> Line:
    """A line for `r` within the term `start`..`end`, priced from the list unless overridden."""
    if r.item.customer_id != customer.customer_id:
        raise DomainError(f"item {r.item.manufacturer_no}/{r.item.serial_no} belongs to another customer")
    if not r.product.active:
        raise DomainError(f"product {r.product.sku} is retired: new lines cannot use it")
    if r.product.currency != currency:
        raise DomainError(
            f"product {r.product.sku} is priced in {r.product.currency}, the contract in {currency}"
        )
    price = r.product.annual_price if r.annual_price is None else r.annual_price
    if price < 0 or round_money(price) != price:
        raise DomainError(f"annual_price {price} must be zero or more with at most two decimals")
    if r.quantity < 1:
        raise DomainError("quantity must be 1 or more")
    first, last = r.start_date or start, r.end_date or end
    if not start <= first <= last <= end:
        raise DomainError(
            f"line {r.item.serial_no}: its dates {first}..{last} must lie within the term {start}..{end}"
        )
    source = "list" if r.annual_price is None else "override"
    return Line(uuid.uuid4(), r.product, r.item, price, first, last, r.quantity, source)


def check_no_overlap_within(lines: list[Line]) -> None:
    """One item is on at most one line of a contract on any day."""
    by_item: dict[uuid.UUID, list[Line]] = {}
    for ln in lines:
        for other in by_item.get(ln.item.item_id, []):
            if ln.start_date <= other.end_date and other.start_date <= ln.end_date:
                raise DomainError(
                    f"item {ln.item.manufacturer_no}/{ln.item.serial_no} is twice on this contract for "
                    f"{max(ln.start_date, other.start_date)}..{min(ln.end_date, other.end_date)}"
                )
        by_item.setdefault(ln.item.item_id, []).append(ln)
