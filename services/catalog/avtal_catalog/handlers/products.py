"""Catalog use cases: each runs inside the caller's unit of work."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from avtal_catalog.domain.commands import UpsertProduct
from avtal_catalog.domain.products import Product, define_product, retire, revise
from avtal_catalog.store.uow import CatalogUnitOfWork
from avtal_common.payloads.catalog import ProductUpserted
from avtal_common.topics import CATALOG_PRODUCT_UPSERTED


async def upsert_product(uow: CatalogUnitOfWork, cmd: UpsertProduct) -> Product:
    """Create a product, or revise the one with the same SKU; publishes catalog.product.upserted."""
    candidate = define_product(
        cmd.sku,
        cmd.name,
        cmd.annual_price,
        cmd.currency,
        description=cmd.description,
        vendor=cmd.vendor,
        category=cmd.category,
        manufacturer=cmd.manufacturer,
        models=cmd.models,
        maintenance_level=cmd.maintenance_level,
        billing_unit=cmd.billing_unit,
        vat_rate=cmd.vat_rate,
    )
    existing = await uow.products.find_by_sku(candidate.sku)
    product = revise(existing, candidate) if existing else candidate
    await _save(uow, product)
    return product


async def retire_product(uow: CatalogUnitOfWork, product_id: uuid.UUID) -> Product:
    """No new contracts may use it; contracts learn `active = false` from the event."""
    existing = await uow.products.get(product_id, for_update=True)
    product = retire(existing, datetime.now(UTC))
    if product is not existing:
        await _save(uow, product)
    return product


async def _save(uow: CatalogUnitOfWork, product: Product) -> None:
    await uow.products.save(product)
    await uow.emit(CATALOG_PRODUCT_UPSERTED, product.product_id, _event(product), product.version)


def _event(p: Product) -> ProductUpserted:
    return ProductUpserted(
        product_id=p.product_id,
        sku=p.sku,
        name=p.name,
        description=p.description,
        vendor=p.vendor,
        category=p.category,
        annual_price=p.annual_price,
        currency=p.currency,
        active=p.active,
        vat_rate=p.vat_rate,
    )
