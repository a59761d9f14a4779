"""Contracts API request and response bodies."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from avtal_common.api.commands import ContractIn, CustomerIn, LineIn
from avtal_common.money import Amount
from avtal_contracts.domain.model import Contract, Customer


class CustomerOut(BaseModel):
    customer_id: uuid.UUID
    name: str
    email: str
    locale: str
    external_ref: str | None

    @classmethod
    def of(cls, c: Customer) -> CustomerOut:
        return cls(
            customer_id=c.customer_id,
            name=c.name,
            email=c.email,
            locale=c.locale,
            external_ref=c.external_ref,
        )


class ItemOut(BaseModel):
    item_id: uuid.UUID
    manufacturer_no: str
    model: str
    serial_no: str


class LineOut(BaseModel):
    line_id: uuid.UUID
    sku: str
    product_name: str
    annual_price: Amount
    item: ItemOut


class ContractOut(BaseModel):
    contract_id: uuid.UUID
    contract_no: str
    customer_id: uuid.UUID
    customer_name: str
    currency: str
    start_date: date
    end_date: date
    billing_interval_months: int
    status: str
    version: int
    annual_value: Amount
    lines: list[LineOut]

    @classmethod
    def of(cls, c: Contract) -> ContractOut:
        return cls(
            contract_id=c.contract_id,
            contract_no=c.contract_no,
            customer_id=c.customer.customer_id,
            customer_name=c.customer.name,
            currency=c.currency,
            start_date=c.start_date,
            end_date=c.end_date,
            billing_interval_months=c.billing_interval_months,
            status=c.status,
            version=c.version,
            annual_value=sum((ln.annual_price for ln in c.lines), Decimal("0")),
            lines=[
                LineOut(
                    line_id=ln.line_id,
                    sku=ln.product.sku,
                    product_name=ln.product.name,
                    annual_price=ln.annual_price,
                    item=ItemOut(
                        item_id=ln.item.item_id,
                        manufacturer_no=ln.item.manufacturer_no,
                        model=ln.item.model,
                        serial_no=ln.item.serial_no,
                    ),
                )
                for ln in c.lines
            ],
        )


__all__ = ["ContractIn", "ContractOut", "CustomerIn", "CustomerOut", "LineIn"]
