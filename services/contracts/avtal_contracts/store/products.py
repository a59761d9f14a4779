"""Products as the catalog last described them (asyncpg)."""

from __future__ import annotations

import uuid

import asyncpg

from avtal_common.errors import NotFound
from avtal_contracts.domain.products import ProductInfo

_COLUMNS = "product_id, sku, name, annual_price, currency, active, version, vendor, vat_rate"
# The version guard repeats the handler's rule, so a race between two deliveries cannot go backwards.
_SAVE = f"""
INSERT INTO products ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (product_id) DO UPDATE SET sku = EXCLUDED.sku, name = EXCLUDED.name,
    annual_price = EXCLUDED.annual_price, currency = EXCLUDED.currency, active = EXCLUDED.active,
    version = EXCLUDED.version, vendor = EXCLUDED.vendor, vat_rate = EXCLUDED.vat_rate
WHERE products.version < EXCLUDED.version
"""
_GET = f"SELECT {_COLUMNS} FROM products WHERE product_id = $1"
_BY_SKU = f"SELECT {_COLUMNS} FROM products WHERE sku = $1"


class ProductRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def find(self, product_id: uuid.UUID) -> ProductInfo | None:
        row = await self._conn.fetchrow(_GET, product_id)
        return ProductInfo(**dict(row)) if row else None

    async def save(self, p: ProductInfo) -> None:
        await self._conn.execute(
            _SAVE,
            p.product_id,
            p.sku,
            p.name,
            p.annual_price,
            p.currency,
            p.active,
            p.version,
            p.vendor,
            p.vat_rate,
        )

    async def by_sku(self, sku: str) -> ProductInfo:
        row = await self._conn.fetchrow(_BY_SKU, sku)
        if row is None:
            raise NotFound(
                f"product {sku!r} is not in the catalog (a new product can take a moment "
                f"to arrive; retry shortly)"
            )
        return ProductInfo(**dict(row))
