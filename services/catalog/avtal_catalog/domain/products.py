"""Maintenance products: what the company sells coverage as."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Literal

from avtal_common.errors import DomainError
from avtal_common.money import round_money

BillingUnit = Literal["item_month", "item_year"]


@dataclass(frozen=True)
class MaintenanceLevel:
    """A service level: how fast, when, where and whether parts are included."""

    code: str
    name: str
    response_hours: int
    coverage: str
    onsite: bool
    parts_included: bool


@dataclass(frozen=True)
class Product:
    product_id: uuid.UUID
    sku: str
    name: str
    annual_price: Decimal
    currency: str
    description: str = ""
    vendor: str | None = None
    category: str | None = None
    active: bool = True
    version: int = 1
    manufacturer: str | None = None
    models: tuple[str, ...] = ()
    maintenance_level: str | None = None
    billing_unit: BillingUnit = "item_year"
    retired_at: datetime | None = None
    vat_rate: Decimal | None = None  # percent; None: each customer's rate (docs/billing-model.md)


def define_product(
    sku: str,
    name: str,
    annual_price: Decimal,
    currency: str,
    *,
    description: str = "",
    vendor: str | None = None,
    category: str | None = None,
    active: bool = True,
    manufacturer: str | None = None,
    models: tuple[str, ...] = (),
    maintenance_level: str | None = None,
    billing_unit: BillingUnit = "item_year",
    vat_rate: Decimal | None = None,
) -> Product:
    sku, name = sku.strip(), name.strip()
    if not sku:
        raise DomainError("sku must not be empty")
    if not name:
        raise DomainError("name must not be empty")
    if annual_price < 0:
        raise DomainError(f"annual_price must be zero or more, got {annual_price}")
    if round_money(annual_price) != annual_price:
        raise DomainError(f"annual_price has more than two decimals: {annual_price}")
    return Product(
        uuid.uuid4(),
        sku,
        name,
        annual_price,
        currency.upper(),
        description,
        vendor,
        category,
        active,
        manufacturer=manufacturer,
        models=tuple(m.strip() for m in models if m.strip()),
        maintenance_level=maintenance_level,
        billing_unit=billing_unit,
        vat_rate=vat_rate,
    )


def revise(existing: Product, new: Product) -> Product:
    """The same product (same id) with new attributes and the next version; retirement is kept."""
    return replace(
        new,
        product_id=existing.product_id,
        version=existing.version + 1,
        active=existing.active and new.active,
        retired_at=existing.retired_at,
    )


def retire(product: Product, at: datetime) -> Product:
    """No new contracts may use a retired product; running contracts keep it."""
    if product.retired_at is not None:
        return product
    return replace(product, active=False, retired_at=at, version=product.version + 1)
