"""Covered-item repository (asyncpg)."""

from __future__ import annotations

import asyncpg

from avtal_contracts.domain.items import Item

_COLUMNS = "item_id, customer_id, manufacturer_no, model, serial_no"
_FIND = f"SELECT {_COLUMNS} FROM covered_items WHERE manufacturer_no = $1 AND serial_no = $2"
_ADD = f"INSERT INTO covered_items ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"


class ItemRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def find(self, manufacturer_no: str, serial_no: str) -> Item | None:
        """The machine with this manufacturer and serial number, whoever owns it."""
        row = await self._conn.fetchrow(_FIND, manufacturer_no, serial_no)
        return Item(**dict(row)) if row else None

    async def add(self, item: Item) -> None:
        await self._conn.execute(
            _ADD, item.item_id, item.customer_id, item.manufacturer_no, item.model, item.serial_no
        )
