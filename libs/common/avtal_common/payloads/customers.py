"""Events about customers that other systems publish (CRM → `customer.upserted`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import EmailStr, Field

from avtal_common.api.text import OneLine
from avtal_common.events import Payload
from avtal_common.money import Currency
from avtal_common.payloads.contracts import CustomerRef


class CustomerUpserted(Payload):
    """A CRM's customer as it is now; Avtal upserts by `external_ref` (the CRM's id). The envelope's
    `occurred_at` orders the events: one older than the last applied changes nothing (docs/customers.md).
    Fields left out keep their defaults on a new customer and their stored value on a known one."""

    external_ref: OneLine = Field(min_length=1, max_length=100)
    name: OneLine = Field(min_length=1, max_length=200)
    email: EmailStr
    locale: Literal["en", "sv"] | None = None
    contact_name: OneLine | None = Field(default=None, max_length=200)
    phone: OneLine | None = Field(default=None, max_length=50)
    address_line: OneLine | None = Field(default=None, max_length=200)
    postal_code: OneLine | None = Field(default=None, max_length=20)
    city: OneLine | None = Field(default=None, max_length=100)
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    currency: Currency | None = None
    payment_terms_days: int | None = Field(default=None, ge=0, le=365)
    tax_id: OneLine | None = Field(default=None, max_length=40)
    vat_rate: Decimal | None = Field(default=None, ge=0, le=100, max_digits=5, decimal_places=2)
    reverse_charge: bool | None = None
    external_ids: dict[str, str] | None = None


class CustomerState(Payload):
    """`customer.state`: the customer's billing details as they are after a change in Avtal (registered,
    edited, imported, or upserted from a CRM). The envelope's `version` is the customer's version and
    `occurred_at` when the change was made: a consumer keeps the newest (docs/billing-model.md)."""

    customer: CustomerRef
