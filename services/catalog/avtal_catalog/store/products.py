"""Product repository (asyncpg)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from avtal_catalog.domain.products import MaintenanceLevel, Product
from avtal_common.errors import NotFound

_UPSERT = """
INSERT INTO products (product_id, sku, name, description, vendor, category, annual_price, currency,
                      active, version, manufacturer, models, maintenance_level, billing_unit, retired_at,
                      vat_rate)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
ON CONFLICT (product_id) DO UPDATE SET
    sku = EXCLUDED.sku, name = EXCLUDED.name, description = EXCLUDED.description,
    vendor = EXCLUDED.vendor, category = EXCLUDED.category, annual_price = EXCLUDED.annual_price,
    currency = EXCLUDED.currency, active = EXCLUDED.active, version = EXCLUDED.version,
    manufacturer = EXCLUDED.manufacturer, models = EXCLUDED.models,
    maintenance_level = EXCLUDED.maintenance_level, billing_unit = EXCLUDED.billing_unit,
    retired_at = EXCLUDED.retired_at, vat_rate = EXCLUDED.vat_rate, updated_at = now()
"""
_COLUMNS = (
    "product_id, sku, name, description, vendor, category, annual_price, currency, active, version, "
    "manufacturer, models, maintenance_level, billing_unit, retired_at, vat_rate"
)
_GET = f"SELECT {_COLUMNS} FROM products WHERE product_id = $1"
_BY_SKU = f"SELECT {_COLUMNS} FROM products WHERE sku = $1 FOR UPDATE"
_LIST = f"SELECT {_COLUMNS} FROM products ORDER BY sku LIMIT $1 OFFSET $2"
_COUNT = "SELECT count(*) FROM products"
_LEVEL_UPSERT = """
INSERT INTO maintenance_levels (code, name, response_hours, coverage, onsite, parts_included)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, response_hours = EXCLUDED.response_hours,
    coverage = EXCLUDED.coverage, onsite = EXCLUDED.onsite, parts_included = EXCLUDED.parts_included
"""
_LEVELS = """
SELECT code, name, response_hours, coverage, onsite, parts_included FROM maintenance_levels ORDER BY code
"""


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
            p.manufacturer,
            list(p.models),
            p.maintenance_level,
            p.billing_unit,
            p.retired_at,
            p.vat_rate,
        )

    async def get(self, product_id: uuid.UUID, *, for_update: bool = False) -> Product:
        row = await self._conn.fetchrow(_GET + (" FOR UPDATE" if for_update else ""), product_id)
        if row is None:
            raise NotFound(f"product {product_id} does not exist")
        return product_of(row)

    async def find_by_sku(self, sku: str) -> Product | None:
        row = await self._conn.fetchrow(_BY_SKU, sku)
        return product_of(row) if row else None

    async def list(self, limit: int, offset: int) -> list[Product]:
        """Products by SKU, `limit` of them from `offset` on."""
        return [product_of(r) for r in await self._conn.fetch(_LIST, limit, offset)]

    async def count(self) -> int:
        return int(await self._conn.fetchval(_COUNT))

    async def save_level(self, level: MaintenanceLevel) -> None:
        await self._conn.execute(
            _LEVEL_UPSERT,
            level.code,
            level.name,
            level.response_hours,
            level.coverage,
            level.onsite,
            level.parts_included,
        )

    async def levels(self) -> list[MaintenanceLevel]:
        return [MaintenanceLevel(**dict(r)) for r in await self._conn.fetch(_LEVELS)]


def product_of(row: Any) -> Product:
    values = dict(row)
    values["models"] = tuple(values.get("models") or ())
    return Product(**{k: v for k, v in values.items() if k in _FIELDS})


_FIELDS = set(_COLUMNS.replace(" ", "").split(","))
