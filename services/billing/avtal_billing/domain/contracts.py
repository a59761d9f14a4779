"""Contracts as billing knows them: who is billed, in which currency, on which terms, and which version."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Buyer:
    """The customer as an invoice names them (a snapshot is kept on each invoice: issued invoices
    never change when the customer's details do)."""

    customer_id: uuid.UUID
    name: str
    email: str
    locale: str = "en"
    address_line: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str = "SE"
    tax_id: str | None = None  # the buyer's VAT number, printed for reverse charge
    vat_rate: Decimal = Decimal("25.00")  # percent, for lines that name no rate of their own
    reverse_charge: bool = False  # an EU business buyer outside the seller's country: VAT 0, buyer pays
    payment_terms_days: int = 30

    @property
    def address_lines(self) -> list[str]:
        """The postal address as printed: street, postcode and city, country."""
        town = " ".join(p for p in (self.postal_code, self.city) if p)
        return [p for p in (self.address_line, town, self.country) if p]


@dataclass(frozen=True)
class Contract:
    contract_id: uuid.UUID
    contract_no: str
    customer_id: uuid.UUID
    customer_name: str
    customer_email: str
    locale: str
    currency: str
    version: int
    buyer: Buyer | None = None  # None only for rows stored before issue 9 (see store/contracts.py)
    status: str = "active"

    def billed_to(self) -> Buyer:
        return self.buyer or Buyer(self.customer_id, self.customer_name, self.customer_email, self.locale)


def is_newer(candidate: Contract, known: Contract | None) -> bool:
    """Contract states may arrive in any order: only a newer version replaces what billing knows;
    the same version again (a republished state) changes nothing."""
    return known is None or candidate.version > known.version


def is_billable(status: str) -> bool:
    """A draft is not signed yet: it has no schedule until a later state makes it billable."""
    return status != "draft"
