"""Commands the catalog accepts: typed inputs of its use cases."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


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
