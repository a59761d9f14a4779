"""Commands the catalog accepts: typed inputs of its use cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from avtal_catalog.domain.prices import PartyKind, PriceRule, Selection
from avtal_catalog.domain.products import BillingUnit


@dataclass(frozen=True)
class UpsertProduct:
    """Create the product with this SKU, or revise the one that has it."""

    sku: str
    name: str
    annual_price: Decimal
    currency: str
    description: str = ""
    vendor: str | None = None
    category: str | None = None
    manufacturer: str | None = None
    models: tuple[str, ...] = ()
    maintenance_level: str | None = None
    billing_unit: BillingUnit = "item_year"
    vat_rate: Decimal | None = None


@dataclass(frozen=True)
class UpsertParty:
    """Create the vendor or distributor with this code, or rename it."""

    kind: PartyKind
    code: str
    name: str


@dataclass(frozen=True)
class AddPriceEntry:
    """A dated price on a party's list; refused when it overlaps another for the same product."""

    party_code: str
    product_id: uuid.UUID
    currency: str
    list_price: Decimal
    cost: Decimal | None
    effective_from: date
    effective_to: date | None
    by: str


@dataclass(frozen=True)
class PreviewPriceJob:
    """Compute and keep a job's rows (old → new) without changing any price."""

    selection: Selection
    rule: PriceRule
    effective_from: date
    by: str
