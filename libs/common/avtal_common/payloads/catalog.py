"""Events the catalog service publishes."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from avtal_common.events import Payload
from avtal_common.money import Amount, Currency


class ProductUpserted(Payload):
    product_id: uuid.UUID
    sku: str
    name: str
    description: str = ""
    vendor: str | None = None
    category: str | None = None
    annual_price: Amount
    currency: Currency
    active: bool = True
    vat_rate: Decimal | None = None  # percent; None: each customer's rate (added by issue 9)


class PriceChange(Payload):
    """One list's price of the product: before and after the job."""

    party_code: str
    party_kind: str
    currency: Currency
    old_price: Amount
    new_price: Amount


class PriceChanged(Payload):
    """A price job changed the product's list prices from `effective_from` on (or a revert undid it)."""

    product_id: uuid.UUID
    sku: str
    job_id: uuid.UUID
    effective_from: datetime.date
    reverted: bool = False
    prices: list[PriceChange]
