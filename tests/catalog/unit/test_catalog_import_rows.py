"""What a products or price-list CSV row must be (the typed rows the import validates into)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from avtal_catalog.domain.imports import PriceRow, ProductRow

PRODUCT = {"sku": " DELL-R740 ", "name": "Dell PowerEdge R740", "annual_price": "4800.00", "currency": "sek"}
PRICE = {
    "sku": "DELL-R740",
    "list_code": "dell",
    "currency": "SEK",
    "list_price": "10.00",
    "effective_from": "2026-01-01",
}


def test_a_product_row_is_trimmed_upper_cases_its_currency_and_splits_its_models() -> None:
    row = ProductRow.model_validate(PRODUCT | {"models": "R740 | R740xd;R750", "billing_unit": "Month"})
    assert (row.sku, row.currency, row.models, row.billing_unit) == (
        "DELL-R740",
        "SEK",
        ("R740", "R740xd", "R750"),
        "item_month",
    )
    assert row.annual_price == Decimal("4800.00")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("annual_price", "-1"),
        ("annual_price", "1.005"),
        ("currency", "KRONOR"),
        ("name", "two\x07bells"),
        ("billing_unit", "week"),
    ],
)
def test_a_product_row_refuses_what_the_catalog_cannot_store(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ProductRow.model_validate(PRODUCT | {field: value})
    assert caught.value.errors()[0]["loc"] == (field,)


def test_a_price_row_reads_its_list_code_in_upper_case_and_may_be_open_ended() -> None:
    row = PriceRow.model_validate(PRICE)
    assert (row.list_code, row.effective_from, row.effective_to, row.cost) == (
        "DELL",
        date(2026, 1, 1),
        None,
        None,
    )


def test_a_price_row_ending_before_it_starts_or_outside_the_accepted_dates_is_refused() -> None:
    with pytest.raises(ValidationError, match="before effective_from"):
        PriceRow.model_validate(PRICE | {"effective_to": "2025-12-31"})
    with pytest.raises(ValidationError, match="dates from"):
        PriceRow.model_validate(PRICE | {"effective_from": "1999-01-01"})
