"""Customers: who holds contracts and receives their invoices, with their billing terms."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Customer:
    customer_id: uuid.UUID
    name: str
    email: str  # the billing contact's address: invoices and reminders go here
    locale: str = "en"  # the language of invoices and mails: en or sv
    external_ref: str | None = None  # the customer's id in the CRM it came from; imports upsert by it
    contact_name: str | None = None
    phone: str | None = None
    address_line: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str = "SE"
    currency: str = "SEK"  # new contracts' default currency
    payment_terms_days: int = 30
    tax_id: str | None = None  # VAT registration number
    vat_rate: Decimal = Decimal("25.00")  # percent
    reverse_charge: bool = False  # the buyer accounts for VAT (EU B2B across borders): invoices carry 0%
    external_ids: dict[str, str] = field(default_factory=dict)  # ids in other systems: {"erp": "4711"}
    version: int = 1


def new_customer(name: str, email: str, locale: str = "en", external_ref: str | None = None) -> Customer:
    return Customer(uuid.uuid4(), name, email, locale, external_ref)


@dataclass(frozen=True)
class Site:
    """A place where a customer's covered items stand (invoices and reorganisations group by it)."""

    site_id: uuid.UUID
    customer_id: uuid.UUID
    name: str
    address_line: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str = "SE"
    external_ref: str | None = None
