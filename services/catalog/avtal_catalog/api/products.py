"""Catalog internal HTTP API."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from litestar import Controller, Request, get, post
from pydantic import BaseModel

from avtal_catalog.domain.products import Product
from avtal_catalog.handlers.products import define_product, upsert_product
from avtal_catalog.store.products import ProductRepo
from avtal_common.api.commands import ProductIn
from avtal_common.money import Amount
from avtal_common.uow import unit_of_work


class ProductOut(BaseModel):
    product_id: uuid.UUID
    sku: str
    name: str
    description: str
    vendor: str | None
    category: str | None
    annual_price: Amount
    currency: str
    active: bool
    version: int


def _out(p: Product) -> ProductOut:
    return ProductOut(**asdict(p))


class ProductController(Controller):
    path = "/products"

    @post("/")
    async def create(self, request: Request, data: ProductIn) -> ProductOut:
        rt = request.app.state.runtime
        candidate = define_product(**data.model_dump())
        async with unit_of_work(rt.db, "catalog") as tx:
            return _out(await upsert_product(tx, candidate))

    @get("/")
    async def list_products(self, request: Request, limit: int = 100, offset: int = 0) -> list[ProductOut]:
        async with request.app.state.runtime.db.acquire() as conn:
            return [_out(p) for p in await ProductRepo(conn).list(min(limit, 1000), offset)]

    @get("/{product_id:uuid}")
    async def get_product(self, request: Request, product_id: uuid.UUID) -> ProductOut:
        async with request.app.state.runtime.db.acquire() as conn:
            return _out(await ProductRepo(conn).get(product_id))
