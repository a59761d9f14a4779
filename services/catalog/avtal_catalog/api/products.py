"""Catalog internal HTTP API: products."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from litestar import Controller, get, post

from avtal_catalog.domain.commands import UpsertProduct
from avtal_catalog.domain.products import Product
from avtal_catalog.handlers.products import upsert_product
from avtal_catalog.store.uow import CatalogUnitOfWork
from avtal_common.api import responses
from avtal_common.api.commands import ProductIn
from avtal_common.api.pagination import Limit, Offset, Page


class ProductOut(responses.Product):
    """A product as the catalog answers it (the fields are the public API's)."""

    @classmethod
    def of(cls, p: Product) -> ProductOut:
        return cls(**asdict(p))


def _command(data: ProductIn) -> UpsertProduct:
    return UpsertProduct(
        data.sku, data.name, data.annual_price, data.currency, data.description, data.vendor, data.category
    )


class ProductController(Controller):
    path = "/products"

    @post("/")
    async def create(self, uow: CatalogUnitOfWork, data: ProductIn) -> ProductOut:
        async with uow:
            return ProductOut.of(await upsert_product(uow, _command(data)))

    @get("/")
    async def list_products(
        self,
        uow: CatalogUnitOfWork,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[ProductOut]:
        async with uow:
            found, total = await uow.products.list(limit, offset), await uow.products.count()
        return Page[ProductOut](
            items=[ProductOut.of(p) for p in found], total=total, limit=limit, offset=offset
        )

    @get("/{product_id:uuid}")
    async def get_product(self, uow: CatalogUnitOfWork, product_id: uuid.UUID) -> ProductOut:
        async with uow:
            return ProductOut.of(await uow.products.get(product_id))
