"""Covered-item repository (asyncpg)."""

from __future__ import annotations

import uuid
from dataclasses import astuple
from datetime import date
from typing import Any

import asyncpg

from avtal_common.errors import NotFound
from avtal_contracts.domain.items import Item

COLUMNS = (
    "item_id, customer_id, manufacturer_no, model, serial_no, product_id, site_id, install_date, external_ref"
)
_FIND = f"SELECT {COLUMNS} FROM covered_items WHERE manufacturer_no = $1 AND serial_no = $2"
_GET = f"SELECT {COLUMNS} FROM covered_items WHERE item_id = $1"
_ADD = f"INSERT INTO covered_items ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
_UPDATE = f"UPDATE covered_items SET ({COLUMNS}) = ($1, $2, $3, $4, $5, $6, $7, $8, $9) WHERE item_id = $1"
_OF_CUSTOMER = f"""
SELECT {COLUMNS} FROM covered_items WHERE customer_id = $1
ORDER BY manufacturer_no, serial_no LIMIT $2 OFFSET $3
"""
_COUNT_OF = "SELECT count(*) FROM covered_items WHERE customer_id = $1"
# A customer's items with their product, site and the contract line covering them on $4 (if any).
_VIEW = """
SELECT i.item_id, i.customer_id, i.manufacturer_no, i.model, i.serial_no, i.product_id, p.sku, i.site_id,
       s.name AS site_name, i.install_date, i.external_ref, c.contract_id, c.contract_no,
       l.start_date AS line_start, l.end_date AS line_end
FROM covered_items i
LEFT JOIN products p ON p.product_id = i.product_id
LEFT JOIN sites s ON s.site_id = i.site_id
LEFT JOIN contract_lines l ON l.item_id = i.item_id AND l.start_date <= $4 AND l.end_date >= $4
LEFT JOIN contracts c ON c.contract_id = l.contract_id AND c.status NOT IN ('terminated', 'draft')
WHERE i.customer_id = $1
ORDER BY i.manufacturer_no, i.serial_no LIMIT $2 OFFSET $3
"""
_VIEW_ONE = _VIEW.replace("WHERE i.customer_id = $1", "WHERE i.item_id = $1")
_OWNER = "SELECT name FROM customers WHERE customer_id = $1"


class ItemRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def find(self, manufacturer_no: str, serial_no: str) -> Item | None:
        """The machine with this manufacturer and serial number, whoever owns it."""
        row = await self._conn.fetchrow(_FIND, manufacturer_no, serial_no)
        return Item(**dict(row)) if row else None

    async def get(self, item_id: uuid.UUID) -> Item:
        row = await self._conn.fetchrow(_GET, item_id)
        if row is None:
            raise NotFound(f"covered item {item_id} does not exist")
        return Item(**dict(row))

    async def of_customer(self, customer_id: uuid.UUID, limit: int, offset: int) -> list[Item]:
        return [Item(**dict(r)) for r in await self._conn.fetch(_OF_CUSTOMER, customer_id, limit, offset)]

    async def count_of(self, customer_id: uuid.UUID) -> int:
        return int(await self._conn.fetchval(_COUNT_OF, customer_id))

    async def view_of(
        self, customer_id: uuid.UUID, limit: int, offset: int, today: date
    ) -> list[dict[str, Any]]:
        """Rows of `_VIEW`: each item with its sku, site name and the contract covering it on `today`."""
        return [dict(r) for r in await self._conn.fetch(_VIEW, customer_id, limit, offset, today)]

    async def view(self, item_id: uuid.UUID, today: date) -> dict[str, Any]:
        row = await self._conn.fetchrow(_VIEW_ONE, item_id, 1, 0, today)
        if row is None:
            raise NotFound(f"covered item {item_id} does not exist")
        return dict(row)

    async def owner_name(self, customer_id: uuid.UUID) -> str:
        return str(await self._conn.fetchval(_OWNER, customer_id))

    async def add(self, item: Item) -> None:
        await self._conn.execute(_ADD, *astuple(item))

    async def update(self, item: Item) -> None:
        await self._conn.execute(_UPDATE, *astuple(item))
