"""Commands the contracts service accepts: typed inputs of its use cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from avtal_contracts.domain.contracts import Terms


@dataclass(frozen=True)
class RegisterCustomer:
    """Register a customer; with an `external_ref` already known, the known customer is the answer."""

    name: str
    email: str
    locale: str = "en"
    external_ref: str | None = None
    terms: dict[str, Any] = field(default_factory=dict)  # contact and billing terms (Customer's fields)


@dataclass(frozen=True)
class UpdateCustomer:
    """Change the given fields; `expected_version` (when given) must be the stored version."""

    customer_id: uuid.UUID
    changes: dict[str, Any]
    expected_version: int | None = None


@dataclass(frozen=True)
class AddSite:
    customer_id: uuid.UUID
    name: str
    place: dict[str, Any] = field(default_factory=dict)  # address_line, postal_code, city, country, ref


@dataclass(frozen=True)
class RegisterItem:
    customer_id: uuid.UUID
    manufacturer_no: str
    model: str
    serial_no: str
    sku: str | None = None
    site_id: uuid.UUID | None = None
    install_date: date | None = None
    external_ref: str | None = None


@dataclass(frozen=True)
class UpdateItem:
    """Fields absent from `changes` stay as they are (site_id / install_date may be set to None)."""

    item_id: uuid.UUID
    changes: dict[str, Any]


@dataclass(frozen=True)
class ContractLineRequest:
    """One machine to cover with one product; `annual_price` overrides the product's price."""

    sku: str
    manufacturer_no: str
    model: str
    serial_no: str
    annual_price: Decimal | None = None
    quantity: int = 1
    start_date: date | None = None  # default: the contract's start
    end_date: date | None = None  # default: the contract's end


@dataclass(frozen=True)
class CreateContract:
    customer_id: uuid.UUID
    currency: str
    start: date
    end: date  # the last covered day
    terms: Terms
    lines: tuple[ContractLineRequest, ...]
    status: str = "active"  # or "draft": not yet in force, billed by nobody
    external_ref: str | None = None
