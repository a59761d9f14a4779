"""Defining and revising maintenance products: pure rules of avtal_catalog.domain.products."""

from __future__ import annotations

import uuid
from dataclasses import FrozenInstanceError
from decimal import Decimal

import pytest

from avtal_catalog.domain.products import Product, define_product, revise
from avtal_common.errors import DomainError


def test_a_defined_product_is_active_at_version_one_with_a_new_id() -> None:
    p = define_product("PRN-CARE", "Printer care", Decimal("1200.00"), "SEK")

    assert isinstance(p.product_id, uuid.UUID)
    assert (p.sku, p.name, p.annual_price, p.currency) == (
        "PRN-CARE",
        "Printer care",
        Decimal("1200.00"),
        "SEK",
    )
    assert p.active is True
    assert p.version == 1
    assert define_product("PRN-CARE", "Printer care", Decimal("1"), "SEK").product_id != p.product_id


def test_a_product_sku_and_name_are_stored_without_surrounding_whitespace() -> None:
    p = define_product("  PRN-CARE\t", " Printer care ", Decimal("1.00"), "SEK")

    assert (p.sku, p.name) == ("PRN-CARE", "Printer care")


def test_a_product_currency_is_upper_cased() -> None:
    assert define_product("S", "N", Decimal("1.00"), "sek").currency == "SEK"


def test_optional_product_attributes_are_kept() -> None:
    p = define_product(
        "S",
        "N",
        Decimal("1.00"),
        "SEK",
        description="Next-day on-site",
        vendor="HP",
        category="printers",
        active=False,
    )

    assert (p.description, p.vendor, p.category, p.active) == ("Next-day on-site", "HP", "printers", False)


@pytest.mark.parametrize("sku", ["", "   ", "\t\n"])
def test_a_product_needs_a_sku(sku: str) -> None:
    with pytest.raises(DomainError, match="sku"):
        define_product(sku, "Printer care", Decimal("1.00"), "SEK")


@pytest.mark.parametrize("name", ["", "   "])
def test_a_product_needs_a_name(name: str) -> None:
    with pytest.raises(DomainError, match="name"):
        define_product("PRN-CARE", name, Decimal("1.00"), "SEK")


@pytest.mark.parametrize("price", ["-0.01", "-1200"])
def test_a_product_refuses_a_negative_price(price: str) -> None:
    with pytest.raises(DomainError, match="zero or more"):
        define_product("S", "N", Decimal(price), "SEK")


@pytest.mark.parametrize("price", ["0.001", "1200.005", "9.999"])
def test_a_product_refuses_a_price_with_more_than_two_decimals(price: str) -> None:
    with pytest.raises(DomainError, match="two decimals"):
        define_product("S", "N", Decimal(price), "SEK")


@pytest.mark.parametrize("price", ["0", "0.00", "1200", "1200.5", "1200.50", "1200.500"])
def test_a_product_accepts_a_free_or_whole_or_cent_price(price: str) -> None:
    assert define_product("S", "N", Decimal(price), "SEK").annual_price == Decimal(price)


def test_a_product_is_immutable() -> None:
    p = define_product("S", "N", Decimal("1.00"), "SEK")

    with pytest.raises(FrozenInstanceError):
        p.name = "other"  # type: ignore[misc]


def test_revise_keeps_the_id_and_bumps_the_version() -> None:
    existing = define_product("PRN-CARE", "Printer care", Decimal("1200.00"), "SEK")
    edited = define_product("PRN-CARE", "Printer care plus", Decimal("1500.00"), "SEK", vendor="HP")

    revised = revise(existing, edited)

    assert revised.product_id == existing.product_id
    assert revised.version == existing.version + 1
    assert (revised.name, revised.annual_price, revised.vendor) == (
        "Printer care plus",
        Decimal("1500.00"),
        "HP",
    )


def test_revise_counts_from_the_existing_version_not_the_new_one() -> None:
    existing = Product(uuid.uuid4(), "S", "N", Decimal("1.00"), "SEK", version=7)
    edited = define_product("S", "N2", Decimal("2.00"), "SEK")

    assert revise(existing, edited).version == 8


def test_revise_leaves_the_existing_product_unchanged() -> None:
    existing = define_product("S", "N", Decimal("1.00"), "SEK")
    edited = define_product("S", "Renamed", Decimal("2.00"), "SEK")

    revise(existing, edited)

    assert (existing.name, existing.version, existing.annual_price) == ("N", 1, Decimal("1.00"))


def test_revise_can_retire_a_product() -> None:
    existing = define_product("S", "N", Decimal("1.00"), "SEK")

    revised = revise(existing, define_product("S", "N", Decimal("1.00"), "SEK", active=False))

    assert revised.active is False
    assert revised.product_id == existing.product_id
