"""Catalog bodies shared by the gateway's /api/v1 and the catalog's internal API (additive changes only)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from avtal_common.api.commands import BoundedDate
from avtal_common.api.responses import Out
from avtal_common.api.text import OneLine
from avtal_common.money import Amount, Currency

Code = Annotated[OneLine, Field(min_length=1, max_length=32)]
Price = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


class MaintenanceLevelIn(BaseModel):
    code: Code
    name: OneLine = Field(min_length=1, max_length=100)
    response_hours: int = Field(ge=1, le=24 * 30)
    coverage: OneLine = Field(min_length=1, max_length=32)
    onsite: bool
    parts_included: bool


class MaintenanceLevel(Out):
    code: str
    name: str
    response_hours: int
    coverage: str
    onsite: bool
    parts_included: bool


class PartyIn(BaseModel):
    kind: Literal["vendor", "distributor"]
    code: Code
    name: OneLine = Field(min_length=1, max_length=200)


class Party(Out):
    party_id: uuid.UUID
    kind: str
    code: str
    name: str


class PriceEntryIn(BaseModel):
    """A dated price on a vendor's or distributor's list; `effective_to` is the last day (inclusive)."""

    party_code: Code
    currency: Currency = "SEK"
    list_price: Price
    cost: Price | None = None
    effective_from: BoundedDate
    effective_to: BoundedDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> PriceEntryIn:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to must be on or after effective_from")
        return self


class PriceEntry(Out):
    entry_id: uuid.UUID
    party_code: str
    party_kind: str
    party_name: str
    currency: str
    list_price: Amount
    cost: Amount | None
    effective_from: date
    effective_to: date | None
    job_id: uuid.UUID | None
    created_by: str


class SelectionIn(BaseModel):
    """Which prices a job changes; every given field narrows it (vendor/distributor pick the lists)."""

    vendor: Code | None = None
    distributor: Code | None = None
    category: OneLine | None = Field(default=None, max_length=100)
    manufacturer: OneLine | None = Field(default=None, max_length=100)
    skus: list[Annotated[OneLine, Field(min_length=1, max_length=64)]] = Field(default=[], max_length=10_000)


class RuleIn(BaseModel):
    """percent: +5 = 5 % up; amount: added; fixed: the new price; index: factor (CPI 1.042)."""

    change: Literal["percent", "amount", "fixed", "index"]
    value: Decimal = Field(max_digits=14, decimal_places=6, gt=-1_000_000, lt=1_000_000)
    rounding: Literal["0.01", "0.05", "1", "0.99"] = "0.01"


class PriceJobIn(BaseModel):
    selection: SelectionIn
    rule: RuleIn
    effective_from: BoundedDate


class PriceJob(Out):
    job_id: uuid.UUID
    status: str
    selection: SelectionIn
    rule: RuleIn
    effective_from: date
    row_count: int
    revenue_impact: dict[str, Amount]
    created_by: str
    created_at: datetime | None
    applied_by: str | None
    applied_at: datetime | None
    reverted_by: str | None
    reverted_at: datetime | None


class PriceJobRow(Out):
    entry_id: uuid.UUID
    new_entry_id: uuid.UUID | None
    product_id: uuid.UUID
    sku: str
    name: str
    party_code: str
    party_kind: str
    currency: str
    old_price: Amount
    new_price: Amount


class ByIn(BaseModel):
    """Who asks (the gateway's signed-in user), for the audit entry."""

    by: OneLine = Field(min_length=1, max_length=320)
