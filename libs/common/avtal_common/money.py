"""Exact money: Decimal amounts with an ISO 4217 currency, serialised as strings."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer, StringConstraints

CENT = Decimal("0.01")

# Decimals travel as JSON strings so no consumer ever sees a float.
Amount = Annotated[Decimal, PlainSerializer(str, return_type=str)]
# StringConstraints (not Field(pattern=)): Litestar's OpenAPI document shows only this form's pattern.
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount: Amount
    currency: Currency
