"""In-memory catalog repositories and unit of work: the handlers cannot tell them from PostgreSQL's."""

from __future__ import annotations

import uuid
from typing import Any

from avtal_catalog.domain.products import Product
from avtal_common.errors import NotFound
from avtal_testing.fakes import FakeUnitOfWork


class FakeProductRepo:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Product] = {}

    async def save(self, p: Product) -> None:
        self.rows[p.product_id] = p

    async def get(self, product_id: uuid.UUID, *, for_update: bool = False) -> Product:
        if product_id not in self.rows:
            raise NotFound(f"product {product_id} does not exist")
        return self.rows[product_id]

    async def find_by_sku(self, sku: str) -> Product | None:
        return next((p for p in self.rows.values() if p.sku == sku), None)

    async def list(self, limit: int, offset: int) -> list[Product]:
        return sorted(self.rows.values(), key=lambda p: p.sku)[offset : offset + limit]

    async def count(self) -> int:
        return len(self.rows)


class FakeCatalogUnitOfWork(FakeUnitOfWork):
    producer = "catalog"

    def bind_repositories(self) -> None:
        self.products = FakeProductRepo()

    def snapshot(self) -> Any:
        return dict(self.products.rows)

    def restore(self, state: Any) -> None:
        self.products.rows = state
