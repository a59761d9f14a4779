"""The products import target: upsert by SKU in one statement, events for the products it changed."""

from __future__ import annotations

from typing import Any

import asyncpg
from pydantic import BaseModel

from avtal_catalog.domain.imports import PRODUCT_COLUMNS, ProductRow
from avtal_common import topics
from avtal_common.csvimport import Column, ImportOptions, ImportReport, reject
from avtal_common.events import envelope_headers
from avtal_common.outbox import new_envelope
from avtal_common.payloads.catalog import ProductUpserted

_PRODUCT_STAGING = """
CREATE TEMP TABLE import_products (
    row_no int, sku text, name text, description text, manufacturer text, models text[], category text,
    maintenance_level text, billing_unit text, annual_price numeric, currency text, vendor text,
    vat_rate numeric
) ON COMMIT DROP
"""
_PRODUCT_CHECKS = (
    """SELECT row_no, 'sku', format('SKU %s is also in row %s; keep one of them', sku, first)
       FROM (SELECT row_no, sku, min(row_no) OVER (PARTITION BY sku) AS first FROM import_products) d
       WHERE row_no <> first""",
    """SELECT row_no, 'maintenance_level', format('no maintenance level %L; known levels: %s',
              maintenance_level, (SELECT string_agg(code, ', ' ORDER BY code) FROM maintenance_levels))
       FROM import_products s
       WHERE maintenance_level IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM maintenance_levels m WHERE m.code = s.maintenance_level)""",
)
# Fields a product import may change; a column missing from the file leaves the stored value alone.
_PRODUCT_FIELDS = (
    "name",
    "description",
    "manufacturer",
    "models",
    "category",
    "maintenance_level",
    "billing_unit",
    "annual_price",
    "currency",
    "vendor",
    "vat_rate",
)
_PRODUCT_UPSERT = """
INSERT INTO products (product_id, sku, name, description, manufacturer, models, category, maintenance_level,
                      billing_unit, annual_price, currency, vendor, vat_rate)
SELECT gen_random_uuid(), sku, name, coalesce(description, ''), manufacturer, models, category,
       maintenance_level, billing_unit, annual_price, currency, vendor, vat_rate
FROM import_products ORDER BY row_no
ON CONFLICT (sku) DO UPDATE SET {sets}, version = products.version + 1, updated_at = now()
    WHERE ({stored}) IS DISTINCT FROM ({given})
RETURNING product_id, sku, name, description, vendor, category, annual_price, currency, active, version,
          vat_rate,
          xmax::text = '0' AS inserted
"""
_OUTBOX = "INSERT INTO outbox (event_id, topic, key, payload, headers) VALUES ($1, $2, $3, $4, $5)"


def _upsert_sql(present: list[str]) -> str:
    """The upsert for the fields the file has (names from _PRODUCT_FIELDS only, never from the file)."""
    given = [f"coalesce(EXCLUDED.{f}, '')" if f == "description" else f"EXCLUDED.{f}" for f in present]
    return _PRODUCT_UPSERT.format(
        sets=", ".join(f"{f} = {g}" for f, g in zip(present, given, strict=True)),
        stored=", ".join(f"products.{f}" for f in present),
        given=", ".join(given),
    )


class ProductImport:
    """Upsert by SKU; only changed products get a new version and a catalog.product.upserted event."""

    columns: tuple[Column, ...] = PRODUCT_COLUMNS
    row_model: type[BaseModel] = ProductRow
    staging = "import_products"

    def __init__(self, producer: str = "catalog") -> None:
        self._producer = producer

    def staging_ddl(self) -> str:
        return _PRODUCT_STAGING

    async def merge(self, conn: asyncpg.Connection, report: ImportReport, options: ImportOptions) -> None:
        await reject(conn, self.staging, report, _PRODUCT_CHECKS)
        present = [f for f in _PRODUCT_FIELDS if f in report.mapping]
        changed = await conn.fetch(_upsert_sql(present))
        report.inserted = sum(1 for r in changed if r["inserted"])
        report.updated = len(changed) - report.inserted
        report.unchanged = report.rows_valid - len(changed)
        await self._events(conn, changed)

    async def _events(self, conn: asyncpg.Connection, changed: list[asyncpg.Record]) -> None:
        """One event per changed product (contracts keeps a copy of each), written in one round trip."""
        rows = []
        for r in changed:
            data = ProductUpserted(**{k: v for k, v in r.items() if k not in ("version", "inserted")})
            env = new_envelope(
                topics.CATALOG_PRODUCT_UPSERTED, self._producer, r["product_id"], data, r["version"]
            )
            rows.append(_outbox_row(env))
        if rows:
            await conn.executemany(_OUTBOX, rows)


def _outbox_row(env: Any) -> tuple[Any, ...]:
    payload = env.model_dump_json().encode()
    return (env.event_id, env.event_type, env.aggregate_id, payload, envelope_headers(env))
