"""Maintenance products: what the company sells coverage as."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from decimal import Decimal

from avtal_common.errors import DomainError
from avtal_common.money import round_money


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
        uuid.uuid4(), sku, name, annual_price, currency.upper(), description, vendor, category, active
    )


def revise(existing: Product, new: Product) -> Product:
    """The same product (same id) with new attributes and the next version."""
    return replace(new, product_id=existing.product_id, version=existing.version + 1)
