"""Contracts: a customer's covered items, each priced by a product, billed at an interval. Pure rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from avtal_common.errors import DomainError
from avtal_common.money import round_money
from avtal_contracts.domain.customers import Customer
from avtal_contracts.domain.items import Item
from avtal_contracts.domain.products import ProductInfo

BILLING_INTERVALS = (1, 3, 6, 12)


@dataclass(frozen=True)
class Line:
    line_id: uuid.UUID
    product: ProductInfo
    item: Item
    annual_price: Decimal


@dataclass(frozen=True)
class Contract:
    contract_id: uuid.UUID
    contract_no: str
    customer: Customer
    currency: str
    start_date: date
    end_date: date
    billing_interval_months: int
    lines: list[Line] = field(default_factory=list)
    status: str = "active"
    version: int = 1

    @property
    def annual_value(self) -> Decimal:
        return sum((ln.annual_price for ln in self.lines), Decimal("0"))


@dataclass(frozen=True)
class LineRequest:
    product: ProductInfo
    item: Item
    annual_price: Decimal | None = None


def open_contract(
    contract_no: str,
    customer: Customer,
    currency: str,
    start: date,
    end: date,
    interval_months: int,
    requests: list[LineRequest],
) -> Contract:
    if end < start:
        raise DomainError(f"end_date {end} (the last covered day) must not be before start_date {start}")
    if interval_months not in BILLING_INTERVALS:
        raise DomainError(f"billing_interval_months must be one of {BILLING_INTERVALS}")
    if not requests:
        raise DomainError("a contract needs at least one covered item")
    lines = [_line(r, customer, currency) for r in requests]
    return Contract(uuid.uuid4(), contract_no, customer, currency, start, end, interval_months, lines)


def _line(r: LineRequest, customer: Customer, currency: str) -> Line:
    if r.item.customer_id != customer.customer_id:
        raise DomainError(f"item {r.item.manufacturer_no}/{r.item.serial_no} belongs to another customer")
    if not r.product.active:
        raise DomainError(f"product {r.product.sku} is not active")
    if r.product.currency != currency:
        raise DomainError(
            f"product {r.product.sku} is priced in {r.product.currency}, the contract in {currency}"
        )
    price = r.product.annual_price if r.annual_price is None else r.annual_price
    if price < 0 or round_money(price) != price:
        raise DomainError(f"annual_price {price} must be zero or more with at most two decimals")
    return Line(uuid.uuid4(), r.product, r.item, price)
