"""Catalog use cases."""

from __future__ import annotations

from avtal_catalog.domain.products import Product, define_product, revise
from avtal_catalog.store.products import ProductRepo
from avtal_common.payloads.catalog import ProductUpserted
from avtal_common.topics import CATALOG_PRODUCT_UPSERTED
from avtal_common.uow import Tx


async def upsert_product(tx: Tx, candidate: Product) -> Product:
    """Create a product, or revise the one with the same SKU; publishes catalog.product.upserted."""
    repo = ProductRepo(tx.conn)
    existing = await repo.find_by_sku(candidate.sku)
    product = revise(existing, candidate) if existing else candidate
    await repo.save(product)
    await tx.emit(CATALOG_PRODUCT_UPSERTED, product.product_id, _event(product), product.version)
    return product


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
    )


__all__ = ["define_product", "upsert_product"]
