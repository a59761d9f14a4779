"""Commands the contracts service accepts: typed inputs of its use cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class RegisterCustomer:
    """Register a customer; with an `external_ref` already known, the known customer is the answer."""

    name: str
    email: str
    locale: str = "en"
    external_ref: str | None = None


@dataclass(frozen=True)
class ContractLineRequest:
    """One machine to cover with one product; `annual_price` overrides the product's price."""

    sku: str
    manufacturer_no: str
    model: str
    serial_no: str
    annual_price: Decimal | None = None


@dataclass(frozen=True)
class CreateContract:
    customer_id: uuid.UUID
    currency: str
    start: date
    end: date  # the last covered day
    interval_months: int
    lines: tuple[ContractLineRequest, ...]
