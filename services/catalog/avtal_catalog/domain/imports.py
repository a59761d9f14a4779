"""What a products or price-list CSV row must be: typed rows, their columns and header aliases."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from avtal_common.api.commands import BoundedDate
from avtal_common.api.text import FREE_TEXT_PATTERN, ONE_LINE_PATTERN
from avtal_common.csvimport import Column

ImportKind = Literal["products", "prices"]

# Regex constraints (checked in pydantic-core) rather than the per-character validators of the API:
# an import validates a million rows.
Line = Annotated[str, StringConstraints(strip_whitespace=True, pattern=ONE_LINE_PATTERN)]
Sku = Annotated[Line, StringConstraints(min_length=1, max_length=64)]
Code = Annotated[Line, StringConstraints(min_length=1, max_length=64, to_upper=True)]
Currency = Annotated[
    str,
    BeforeValidator(lambda v: v.upper() if isinstance(v, str) else v),
    StringConstraints(pattern=r"^[A-Z]{3}$"),
]
Price = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


def _models(value: Any) -> Any:
    """'R740 | R740xd' (or ';' or ',' between them) → ('R740', 'R740xd')."""
    if isinstance(value, str):
        return tuple(m.strip() for m in re.split(r"[|;,]", value) if m.strip())
    return () if value is None else value


def _billing_unit(value: Any) -> Any:
    aliases = {"month": "item_month", "monthly": "item_month", "year": "item_year", "yearly": "item_year"}
    return aliases.get(value.strip().lower(), value.strip().lower()) if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class ProductRow(BaseModel):
    """A product as a CSV row; the field order is the staging table's."""

    model_config = ConfigDict(frozen=True)

    sku: Sku
    name: Annotated[Line, StringConstraints(min_length=1, max_length=200)]
    description: Annotated[str, StringConstraints(max_length=4000, pattern=FREE_TEXT_PATTERN)] | None = None
    manufacturer: Annotated[Line, StringConstraints(max_length=100)] | None = None
    models: Annotated[
        tuple[Annotated[Line, StringConstraints(max_length=100)], ...], BeforeValidator(_models)
    ] = ()
    category: Annotated[Line, StringConstraints(max_length=100)] | None = None
    maintenance_level: Annotated[str | None, BeforeValidator(_lower)] = None
    billing_unit: Annotated[Literal["item_month", "item_year"], BeforeValidator(_billing_unit)] = "item_year"
    annual_price: Price
    currency: Currency
    vendor: Annotated[Line, StringConstraints(max_length=200)] | None = None
    vat_rate: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)] | None = None


PRODUCT_COLUMNS = (
    Column("sku", ("article", "article_no", "artikelnummer", "part_number", "product_code", "item_no")),
    Column("name", ("product_name", "title", "benämning", "namn")),
    Column("description", ("desc", "beskrivning"), required=False),
    Column("manufacturer", ("make", "brand", "tillverkare"), required=False),
    Column("models", ("model", "covered_models", "modeller"), required=False),
    Column("category", ("kategori", "group", "product_group"), required=False),
    Column("maintenance_level", ("level", "service_level", "sla", "nivå"), required=False),
    Column("billing_unit", ("unit", "billing", "enhet"), required=False),
    Column("annual_price", ("price", "list_price", "pris", "årspris"), decimal=True),
    Column("currency", ("cur", "ccy", "valuta")),
    Column("vendor", ("supplier", "leverantör"), required=False),
    Column("vat_rate", ("vat", "vat_pct", "moms", "momssats"), required=False, decimal=True),
)


class PriceRow(BaseModel):
    """One dated price of one product on one vendor's or distributor's list; effective_to inclusive."""

    model_config = ConfigDict(frozen=True)

    sku: Sku
    list_code: Code
    currency: Currency
    list_price: Price
    cost: Price | None = None
    effective_from: BoundedDate
    effective_to: BoundedDate | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> PriceRow:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(
                f"effective_to {self.effective_to} is before effective_from {self.effective_from}"
            )
        return self


PRICE_COLUMNS = (
    Column("sku", ("article", "article_no", "artikelnummer", "part_number", "product_code", "item_no")),
    Column("list_code", ("list", "price_list", "vendor", "distributor", "party", "supplier", "leverantör")),
    Column("currency", ("cur", "ccy", "valuta")),
    Column("list_price", ("price", "listpris", "pris"), decimal=True),
    Column("cost", ("cost_price", "purchase_price", "inpris", "kostnad"), required=False, decimal=True),
    Column("effective_from", ("from", "valid_from", "start", "start_date", "giltig_från", "från")),
    Column("effective_to", ("to", "valid_to", "end", "end_date", "giltig_till", "till"), required=False),
)

COLUMNS: dict[ImportKind, tuple[Column, ...]] = {"products": PRODUCT_COLUMNS, "prices": PRICE_COLUMNS}
ROWS: dict[ImportKind, type[BaseModel]] = {"products": ProductRow, "prices": PriceRow}
