"""Product repository (asyncpg)."""

from __future__ import annotations

import uuid

import asyncpg

from avtal_catalog.domain.products import Product
from avtal_common.errors import NotFound

_UPSERT = """
INSERT INTO products (product_id, sku, name, description, vendor, category, annual_price, currency,
                      active, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (product_id) DO UPDATE SET
    sku = EXCLUDED.sku, name = EXCLUDED.name, description = EXCLUDED.description,
    vendor = EXCLUDED.vendor, category = EXCLUDED.category, annual_price = EXCLUDED.annual_price,
    currency = EXCLUDED.currency, active = EXCLUDED.active, version = EXCLUDED.version,
    updated_at = now()
"""
_COLUMNS = "product_id, sku, name, description, vendor, category, annual_price, currency, active, version"
_GET = f"SELECT {_COLUMNS} FROM products WHERE product_id = $1"
_BY_SKU = f"SELECT {_COLUMNS} FROM products WHERE sku = $1 FOR UPDATE"
_LIST = f"SELECT {_COLUMNS} FROM products ORDER BY sku LIMIT $1 OFFSET $2"
_COUNT = "SELECT count(*) FROM products"


class ProductRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def save(self, p: Product) -> None:
        await self._conn.execute(
            _UPSERT,
            p.product_id,
            p.sku,
            p.name,
            p.description,
            p.vendor,
            p.category,
            p.annual_price,
            p.currency,
            p.active,
            p.version,
        )

    async def get(self, product_id: uuid.UUID) -> Product:
        row = await self._conn.fetchrow(_GET, product_id)
        if row is None:
            raise NotFound(f"product {product_id} does not exist")
        return _product(row)

    async def find_by_sku(self, sku: str) -> Product | None:
        row = await self._conn.fetchrow(_BY_SKU, sku)
        return _product(row) if row else None

    async def list(self, limit: int, offset: int) -> list[Product]:
        """Products by SKU, `limit` of them from `offset` on."""
        return [_product(r) for r in await self._conn.fetch(_LIST, limit, offset)]

    async def count(self) -> int:
        return int(await self._conn.fetchval(_COUNT))


def _product(row: asyncpg.Record) -> Product:
    return Product(**dict(row))
