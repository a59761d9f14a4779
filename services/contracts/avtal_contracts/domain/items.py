"""Covered items: the machines contracts cover, each owned by one customer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from avtal_common.errors import DomainError


@dataclass(frozen=True)
class Item:
    item_id: uuid.UUID
    customer_id: uuid.UUID
    manufacturer_no: str
    model: str
    serial_no: str  # unique per manufacturer
    product_id: uuid.UUID | None = None  # the catalog product that usually covers it
    site_id: uuid.UUID | None = None
    install_date: date | None = None
    external_ref: str | None = None


def new_item(
    customer_id: uuid.UUID,
    manufacturer_no: str,
    model: str,
    serial_no: str,
    *,
    product_id: uuid.UUID | None = None,
    site_id: uuid.UUID | None = None,
    install_date: date | None = None,
    external_ref: str | None = None,
) -> Item:
    manufacturer_no, model, serial_no = (v.strip() for v in (manufacturer_no, model, serial_no))
    if not (manufacturer_no and model and serial_no):
        raise DomainError("a covered item needs a manufacturer number, a model and a serial number")
    return Item(
        uuid.uuid4(),
        customer_id,
        manufacturer_no,
        model,
        serial_no,
        product_id,
        site_id,
        install_date,
        external_ref,
    )


def check_site(customer_id: uuid.UUID, site_customer: uuid.UUID | None) -> None:
    """A site of another customer cannot hold this customer's machine."""
    if site_customer is not None and site_customer != customer_id:
        raise DomainError("the site belongs to another customer; choose one of this customer's sites")


def owned_elsewhere(found: Item | None, customer_id: uuid.UUID) -> bool:
    """The serial number (per manufacturer) is registered to another customer."""
    return found is not None and found.customer_id != customer_id
