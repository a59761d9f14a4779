"""Customer and site repositories (asyncpg)."""

from __future__ import annotations

import uuid
from dataclasses import astuple
from typing import Any

import asyncpg

from avtal_common.errors import NotFound
from avtal_contracts.domain.customers import Customer, Site

COLUMNS = (
    "customer_id, name, email, locale, external_ref, contact_name, phone, address_line, postal_code, city, "
    "country, currency, payment_terms_days, tax_id, vat_rate, reverse_charge, external_ids, version, "
    "crm_updated_at"
)
_N = len(COLUMNS.split(","))
_ADD = f"INSERT INTO customers ({COLUMNS}) VALUES ({', '.join(f'${i}' for i in range(1, _N + 1))})"
_UPDATE = f"""
UPDATE customers SET ({COLUMNS}, updated_at) = ({", ".join(f"${i}" for i in range(1, _N + 1))}, now())
WHERE customer_id = $1
"""
_GET = f"SELECT {COLUMNS} FROM customers WHERE customer_id = $1"
_BY_REF = f"SELECT {COLUMNS} FROM customers WHERE external_ref = $1"


def _match(p: int) -> str:
    """A text filter (parameter $p) over name, e-mail, references, city, tax id and contact; NULL: all."""
    return f"""(${p}::text IS NULL OR strpos(lower(concat_ws(' ', name, email, external_ref, city, tax_id,
    contact_name, external_ids::text)), lower(${p})) > 0)"""


_LIST = f"SELECT {COLUMNS} FROM customers WHERE {_match(3)} ORDER BY name, customer_id LIMIT $1 OFFSET $2"
_COUNT = f"SELECT count(*) FROM customers WHERE {_match(1)}"
_LOCK = "SELECT 1 FROM customers WHERE customer_id = $1 FOR UPDATE"

SITE_COLUMNS = "site_id, customer_id, name, address_line, postal_code, city, country, external_ref"
_ADD_SITE = f"INSERT INTO sites ({SITE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
_GET_SITE = f"SELECT {SITE_COLUMNS} FROM sites WHERE site_id = $1"
_SITES_OF = f"SELECT {SITE_COLUMNS} FROM sites WHERE customer_id = $1 ORDER BY name"


class CustomerRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, c: Customer) -> None:
        await self._conn.execute(_ADD, *_row(c))

    async def update(self, c: Customer) -> None:
        """Stores `c` as it is now (its version already raised by the caller)."""
        await self._conn.execute(_UPDATE, *_row(c))

    async def get(self, customer_id: uuid.UUID) -> Customer:
        row = await self._conn.fetchrow(_GET, customer_id)
        if row is None:
            raise NotFound(f"customer {customer_id} does not exist")
        return customer(row)

    async def by_external_ref(self, ref: str) -> Customer | None:
        row = await self._conn.fetchrow(_BY_REF, ref)
        return customer(row) if row else None

    async def add_site(self, s: Site) -> None:
        await self._conn.execute(_ADD_SITE, *astuple(s))

    async def site(self, site_id: uuid.UUID) -> Site:
        row = await self._conn.fetchrow(_GET_SITE, site_id)
        if row is None:
            raise NotFound(f"site {site_id} does not exist")
        return Site(**dict(row))

    async def sites_of(self, customer_id: uuid.UUID) -> list[Site]:
        return [Site(**dict(r)) for r in await self._conn.fetch(_SITES_OF, customer_id)]

    async def list(self, limit: int, offset: int, q: str | None = None) -> list[Customer]:
        """Customers by name, `limit` of them from `offset` on; `q` filters (a substring, any case)."""
        return [customer(r) for r in await self._conn.fetch(_LIST, limit, offset, q)]

    async def count(self, q: str | None = None) -> int:
        return int(await self._conn.fetchval(_COUNT, q))

    async def lock(self, customer_id: uuid.UUID) -> Customer:
        """The customer, locked until the transaction ends (two updates apply one after the other)."""
        await self._conn.execute(_LOCK, customer_id)
        return await self.get(customer_id)


def _row(c: Customer) -> tuple[Any, ...]:
    return astuple(c)  # the fields in COLUMNS' order; the pool's codec writes external_ids as jsonb


def customer(row: asyncpg.Record) -> Customer:
    return Customer(**dict(row))
