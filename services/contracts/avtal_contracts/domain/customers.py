"""Customers: who holds contracts and receives their invoices, with their billing terms."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from avtal_common.errors import DomainError
from avtal_common.payloads.contracts import CustomerRef


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
    # When the CRM last changed it (the applied customer.upserted's occurred_at): older events lose.
    crm_updated_at: datetime | None = None

    def check(self) -> Customer:
        """The rules every stored customer keeps, whoever changed it (API, CRM event, import)."""
        if not self.name.strip() or "@" not in self.email:
            raise DomainError("a customer needs a name and a billing contact e-mail address")
        if self.locale not in LOCALES:
            raise DomainError(f"language (locale) must be one of {LOCALES}, not {self.locale!r}")
        if not re.fullmatch(r"[A-Z]{2}", self.country) or not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise DomainError("country is two capital letters (SE) and currency three (SEK)")
        if not 0 <= self.payment_terms_days <= 365:
            raise DomainError("payment_terms_days must be from 0 to 365")
        if not Decimal(0) <= self.vat_rate <= Decimal(100):
            raise DomainError("vat_rate is a percentage from 0 to 100")
        if self.reverse_charge and not self.tax_id:
            raise DomainError(
                "reverse charge needs the customer's VAT number (tax_id): invoices must show it"
            )
        return self


LOCALES = ("en", "sv")
# What a person or another system may change; the id, version and CRM time are the service's own.
EDITABLE = tuple(
    f.name for f in fields(Customer) if f.name not in ("customer_id", "version", "crm_updated_at")
)


def new_customer(
    name: str, email: str, locale: str = "en", external_ref: str | None = None, **terms: Any
) -> Customer:
    unknown = set(terms) - set(EDITABLE)
    if unknown:
        raise DomainError(f"unknown customer fields {sorted(unknown)}")
    return Customer(uuid.uuid4(), name, email, locale, external_ref, **terms).check()


def changed(c: Customer, changes: dict[str, Any]) -> Customer:
    """`c` with `changes` applied and its version one higher, or `c` itself when nothing differs
    (a repeated update is no new version)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError(f"unknown customer fields {sorted(unknown)}")
    if all(getattr(c, k) == v for k, v in changes.items()):
        return c
    return replace(c, version=c.version + 1, **changes).check()


def applies(c: Customer | None, occurred_at: datetime) -> bool:
    """A CRM event applies unless the customer already holds a change the CRM made at or after it
    (replays and late arrivals change nothing)."""
    return c is None or c.crm_updated_at is None or occurred_at > c.crm_updated_at


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


def new_site(customer_id: uuid.UUID, name: str, **place: Any) -> Site:
    if not name.strip():
        raise DomainError("a site needs a name")
    return Site(uuid.uuid4(), customer_id, name.strip(), **place)


def billing_ref(cust: Customer) -> CustomerRef:
    """The customer as events carry it to billing (name, e-mail, address, terms, VAT)."""
    return CustomerRef(
        customer_id=cust.customer_id,
        name=cust.name,
        email=cust.email,
        locale=cust.locale,
        address_line=cust.address_line,
        postal_code=cust.postal_code,
        city=cust.city,
        country=cust.country,
        payment_terms_days=cust.payment_terms_days,
        tax_id=cust.tax_id,
        vat_rate=cust.vat_rate,
        reverse_charge=cust.reverse_charge,
    )
