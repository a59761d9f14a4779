"""Command bodies shared by the gateway's /api/v1 and the services' internal APIs (additive changes only)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, EmailStr, Field

from avtal_common.api.text import FreeText, OneLine
from avtal_common.money import Currency


class ProductIn(BaseModel):
    sku: OneLine = Field(min_length=1, max_length=64)
    name: OneLine = Field(min_length=1, max_length=200)
    description: FreeText = Field(default="", max_length=4000)
    vendor: OneLine | None = Field(default=None, max_length=200)
    category: OneLine | None = Field(default=None, max_length=100)
    annual_price: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    currency: Currency = "SEK"


class CustomerIn(BaseModel):
    name: OneLine = Field(min_length=1, max_length=200)
    email: EmailStr
    locale: Literal["en", "sv"] = "en"
    external_ref: OneLine | None = Field(default=None, max_length=100)


class LineIn(BaseModel):
    sku: OneLine = Field(min_length=1, max_length=64)
    manufacturer_no: OneLine = Field(min_length=1, max_length=100)
    model: OneLine = Field(min_length=1, max_length=100)
    serial_no: OneLine = Field(min_length=1, max_length=100)
    annual_price: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)


class ContractIn(BaseModel):
    customer_id: uuid.UUID
    currency: Currency = "SEK"
    start_date: date
    end_date: date = Field(description="the last covered day")
    billing_interval_months: int = 12
    lines: list[LineIn] = Field(min_length=1, max_length=1000)


class BillingRunIn(BaseModel):
    as_of: date | None = Field(default=None, description="bill what is due by this date (default today)")
    run_key: OneLine | None = Field(
        default=None, max_length=200, description="reusing a finished run's key creates nothing new"
    )
