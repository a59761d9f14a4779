"""Customers: who holds contracts and receives their invoices."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Customer:
    customer_id: uuid.UUID
    name: str
    email: str
    locale: str = "en"
    external_ref: str | None = None


def new_customer(name: str, email: str, locale: str = "en", external_ref: str | None = None) -> Customer:
    return Customer(uuid.uuid4(), name, email, locale, external_ref)
