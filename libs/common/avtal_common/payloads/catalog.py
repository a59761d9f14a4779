"""Events the catalog service publishes."""

from __future__ import annotations

import uuid

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
