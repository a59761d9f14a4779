"""Catalog use cases against the fake unit of work: what is stored and what is published."""

from __future__ import annotations

from decimal import Decimal

import pytest
from catalog.unit.fakes import FakeCatalogUnitOfWork

from avtal_catalog.domain.commands import UpsertProduct
from avtal_catalog.handlers.products import retire_product, upsert_product
from avtal_common.errors import DomainError
from avtal_common.topics import CATALOG_PRODUCT_UPSERTED

PRINTER_CARE = UpsertProduct("PRN-CARE", "Printer care", Decimal("1200.00"), "SEK", vendor="HP")


async def _upsert(uow: FakeCatalogUnitOfWork, cmd: UpsertProduct = PRINTER_CARE):
    async with uow:
        return await upsert_product(uow, cmd)


async def test_a_new_sku_is_stored_and_published_at_version_one() -> None:
    uow = FakeCatalogUnitOfWork()

    product = await _upsert(uow)

    assert list(uow.products.rows.values()) == [product]
    assert (product.sku, product.vendor, product.version) == ("PRN-CARE", "HP", 1)
    [event] = uow.outbox.events
    assert (event.topic, event.aggregate_id, event.version) == (
        CATALOG_PRODUCT_UPSERTED,
        str(product.product_id),
        1,
    )
    assert event.data.annual_price == Decimal("1200.00")


async def test_a_known_sku_is_revised_in_place_and_published_with_the_next_version() -> None:
    uow = FakeCatalogUnitOfWork()
    first = await _upsert(uow)

    second = await _upsert(uow, UpsertProduct("PRN-CARE", "Printer care plus", Decimal("1500.00"), "SEK"))

    assert second.product_id == first.product_id
    assert list(uow.products.rows.values()) == [second]
    assert second.version == 2
    assert [(e.aggregate_id, e.version) for e in uow.outbox.events] == [
        (str(first.product_id), 1),
        (str(first.product_id), 2),
    ]
    assert uow.outbox.events[-1].data.name == "Printer care plus"


async def test_a_refused_product_stores_nothing_and_publishes_nothing() -> None:
    uow = FakeCatalogUnitOfWork()

    with pytest.raises(DomainError, match="two decimals"):
        await _upsert(uow, UpsertProduct("PRN-CARE", "Printer care", Decimal("1.005"), "SEK"))

    assert uow.products.rows == {}
    assert uow.outbox.events == []
    assert uow.commits == 0


async def test_a_refused_revision_leaves_the_stored_product_as_it_was() -> None:
    uow = FakeCatalogUnitOfWork()
    first = await _upsert(uow)

    with pytest.raises(DomainError, match="zero or more"):
        await _upsert(uow, UpsertProduct("PRN-CARE", "Printer care", Decimal("-1"), "SEK"))

    assert list(uow.products.rows.values()) == [first]
    assert len(uow.outbox.events) == 1


async def test_retiring_a_product_makes_it_inactive_and_publishes_it_once() -> None:
    uow = FakeCatalogUnitOfWork()
    product = await _upsert(uow)

    async with uow:
        retired = await retire_product(uow, product.product_id)
    async with uow:
        again = await retire_product(uow, product.product_id)

    assert (retired.active, retired.version, retired.retired_at is not None) == (False, 2, True)
    assert again == retired
    assert [e.data.active for e in uow.outbox.events] == [True, False]


async def test_a_retired_product_stays_retired_when_its_sku_is_upserted_again() -> None:
    uow = FakeCatalogUnitOfWork()
    product = await _upsert(uow)
    async with uow:
        await retire_product(uow, product.product_id)

    revised = await _upsert(uow)

    assert (revised.active, revised.version) == (False, 3)
