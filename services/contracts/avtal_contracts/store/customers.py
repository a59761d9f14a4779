"""Customer repository (asyncpg)."""

from __future__ import annotations

import uuid

import asyncpg

from avtal_common.errors import NotFound
from avtal_contracts.domain.customers import Customer

COLUMNS = "customer_id, name, email, locale, external_ref"
_ADD = f"INSERT INTO customers ({COLUMNS}) VALUES ($1, $2, $3, $4, $5)"
_GET = f"SELECT {COLUMNS} FROM customers WHERE customer_id = $1"
_BY_REF = f"SELECT {COLUMNS} FROM customers WHERE external_ref = $1"
_LIST = f"SELECT {COLUMNS} FROM customers ORDER BY name, customer_id LIMIT $1 OFFSET $2"
_COUNT = "SELECT count(*) FROM customers"


class CustomerRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, c: Customer) -> None:
        await self._conn.execute(_ADD, c.customer_id, c.name, c.email, c.locale, c.external_ref)

    async def get(self, customer_id: uuid.UUID) -> Customer:
        row = await self._conn.fetchrow(_GET, customer_id)
        if row is None:
            raise NotFound(f"customer {customer_id} does not exist")
        return customer(row)

    async def by_external_ref(self, ref: str) -> Customer | None:
        row = await self._conn.fetchrow(_BY_REF, ref)
        return customer(row) if row else None

    async def list(self, limit: int, offset: int) -> list[Customer]:
        """Customers by name, `limit` of them from `offset` on."""
        return [customer(r) for r in await self._conn.fetch(_LIST, limit, offset)]

    async def count(self) -> int:
        return int(await self._conn.fetchval(_COUNT))


def customer(row: asyncpg.Record) -> Customer:
    return Customer(**dict(row))
