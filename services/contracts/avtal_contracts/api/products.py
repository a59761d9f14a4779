"""Contracts internal HTTP API: what contracts knows of products (called by the catalog and tests)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, get, post
from pydantic import BaseModel, Field

from avtal_contracts.store.uow import ContractsUnitOfWork


class UsageIn(BaseModel):
    product_ids: list[uuid.UUID] = Field(max_length=1_000_000)


class ProductController(Controller):
    @post("/product-usage", status_code=200)
    async def usage(self, uow: ContractsUnitOfWork, data: UsageIn) -> list[dict[str, Any]]:
        """Per product and currency: the annual value of the active contract lines that use it."""
        async with uow:
            found = await uow.product_prices.usage(data.product_ids)
        return [
            {**u, "product_id": str(u["product_id"]), "annual_value": str(u["annual_value"])} for u in found
        ]

    @get("/products/{product_id:uuid}/price-changes")
    async def price_changes(self, uow: ContractsUnitOfWork, product_id: uuid.UUID) -> list[dict[str, Any]]:
        """The catalog's list price changes of this product, in the order they arrived."""
        async with uow:
            return await uow.product_prices.for_product(product_id)
