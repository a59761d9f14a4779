"""Covered-item repository (asyncpg)."""

from __future__ import annotations

import uuid
from dataclasses import astuple

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

    async def add(self, item: Item) -> None:
        await self._conn.execute(_ADD, *astuple(item))

    async def update(self, item: Item) -> None:
        await self._conn.execute(_UPDATE, *astuple(item))
