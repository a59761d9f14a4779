"""Products as the catalog last described them: contracts price their lines from these."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ProductInfo:
    product_id: uuid.UUID
    sku: str
    name: str
    annual_price: Decimal
    currency: str
    active: bool
    version: int
    vendor: str | None = None  # the catalog's vendor (bulk selections filter by it)
    vat_rate: Decimal | None = None  # percent; None: each customer's rate (billing prints it per line)


def supersedes(incoming: ProductInfo, known: ProductInfo | None) -> bool:
    """Whether `incoming` is news: events may arrive late or twice, and only a newer version counts."""
    return known is None or incoming.version > known.version
