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
