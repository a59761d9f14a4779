"""Covered items: the machines contracts cover, each owned by one customer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from avtal_common.errors import DomainError


@dataclass(frozen=True)
class Item:
    item_id: uuid.UUID
    customer_id: uuid.UUID
    manufacturer_no: str
    model: str
    serial_no: str


def new_item(customer_id: uuid.UUID, manufacturer_no: str, model: str, serial_no: str) -> Item:
    manufacturer_no, model, serial_no = (v.strip() for v in (manufacturer_no, model, serial_no))
    if not (manufacturer_no and model and serial_no):
        raise DomainError("a covered item needs a manufacturer number, a model and a serial number")
    return Item(uuid.uuid4(), customer_id, manufacturer_no, model, serial_no)
