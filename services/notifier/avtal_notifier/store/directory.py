"""The customers and contracts the notifier has heard of (asyncpg), for events that name only an id."""

from __future__ import annotations

import uuid

import asyncpg

from avtal_notifier.domain.directory import ContractRef, Customer

# A newer version replaces; version 0 is what an invoice event said, replaced by any customer.state.
_PUT_CUSTOMER = """
INSERT INTO customers (customer_id, name, email, locale, version) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (customer_id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
    locale = EXCLUDED.locale, version = EXCLUDED.version
WHERE customers.version < EXCLUDED.version
"""
_GET_CUSTOMER = "SELECT customer_id, name, email, locale FROM customers WHERE customer_id = $1"
_PUT_CONTRACT = """
INSERT INTO contracts (contract_id, contract_no, customer_id, version) VALUES ($1, $2, $3, $4)
ON CONFLICT (contract_id) DO UPDATE SET contract_no = EXCLUDED.contract_no,
    customer_id = EXCLUDED.customer_id, version = EXCLUDED.version
WHERE contracts.version < EXCLUDED.version
"""
_GET_CONTRACT = "SELECT contract_id, contract_no, customer_id FROM contracts WHERE contract_id = $1"


class DirectoryRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def put_customer(self, c: Customer, version: int) -> None:
        await self._conn.execute(_PUT_CUSTOMER, c.customer_id, c.name, c.email, c.locale, version)

    async def customer(self, customer_id: uuid.UUID) -> Customer | None:
        row = await self._conn.fetchrow(_GET_CUSTOMER, customer_id)
        return None if row is None else Customer(**dict(row))

    async def put_contract(self, c: ContractRef, version: int) -> None:
        await self._conn.execute(_PUT_CONTRACT, c.contract_id, c.contract_no, c.customer_id, version)

    async def contract(self, contract_id: uuid.UUID) -> ContractRef | None:
        row = await self._conn.fetchrow(_GET_CONTRACT, contract_id)
        return None if row is None else ContractRef(**dict(row))
