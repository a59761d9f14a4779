"""Contract repository (asyncpg): a contract is loaded with its customer and its lines."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import asyncpg

from avtal_common.errors import NotFound
from avtal_contracts.domain.contracts import Contract, Line
from avtal_contracts.domain.customers import Customer
from avtal_contracts.domain.items import Item
from avtal_contracts.domain.products import ProductInfo
from avtal_contracts.store.customers import COLUMNS as CUSTOMER_COLUMNS
from avtal_contracts.store.customers import customer

_COLUMNS = (
    "contract_id, contract_no, customer_id, currency, start_date, end_date, "
    "billing_interval_months, status, version"
)
_NEXT_NO = "SELECT nextval('contract_no_seq')"
_ADD = f"INSERT INTO contracts ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
_ADD_LINE = """
INSERT INTO contract_lines (line_id, contract_id, product_id, sku, product_name, item_id, annual_price)
VALUES ($1, $2, $3, $4, $5, $6, $7)
"""
_AUDIT = "INSERT INTO audit_log (contract_id, action, detail, correlation_id) VALUES ($1, $2, $3, $4)"
_GET = f"SELECT {_COLUMNS} FROM contracts WHERE contract_id = $1"
_LIST = f"SELECT {_COLUMNS} FROM contracts ORDER BY contract_no LIMIT $1 OFFSET $2"
_LIST_OF = f"SELECT {_COLUMNS} FROM contracts WHERE customer_id = $3 ORDER BY contract_no LIMIT $1 OFFSET $2"
_COUNT = "SELECT count(*) FROM contracts"
_COUNT_OF = "SELECT count(*) FROM contracts WHERE customer_id = $1"
_CUSTOMERS = f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE customer_id = ANY($1::uuid[])"
_LINES = """
SELECT l.line_id, l.contract_id, l.annual_price AS line_price,
       p.product_id, p.sku, p.name, p.annual_price, p.currency, p.active, p.version,
       i.item_id, i.customer_id, i.manufacturer_no, i.model, i.serial_no
FROM contract_lines l JOIN covered_items i USING (item_id) JOIN products p USING (product_id)
WHERE l.contract_id = ANY($1::uuid[])
ORDER BY p.sku, i.serial_no
"""


class ContractRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def next_number(self) -> str:
        return f"C-{await self._conn.fetchval(_NEXT_NO):06d}"

    async def add(self, c: Contract) -> None:
        await self._conn.execute(
            _ADD,
            c.contract_id,
            c.contract_no,
            c.customer.customer_id,
            c.currency,
            c.start_date,
            c.end_date,
            c.billing_interval_months,
            c.status,
            c.version,
        )
        await self._conn.executemany(_ADD_LINE, [_line_row(c.contract_id, ln) for ln in c.lines])

    async def audit(
        self, contract_id: uuid.UUID, action: str, detail: dict[str, Any], correlation_id: str | None
    ) -> None:
        await self._conn.execute(_AUDIT, contract_id, action, detail, correlation_id)

    async def get(self, contract_id: uuid.UUID) -> Contract:
        found = await self._load(await self._conn.fetch(_GET, contract_id))
        if not found:
            raise NotFound(f"contract {contract_id} does not exist")
        return found[0]

    async def list(self, limit: int, offset: int, customer_id: uuid.UUID | None = None) -> list[Contract]:
        """Contracts by number (of one customer, if given), `limit` of them from `offset` on."""
        if customer_id is None:
            return await self._load(await self._conn.fetch(_LIST, limit, offset))
        return await self._load(await self._conn.fetch(_LIST_OF, limit, offset, customer_id))

    async def count(self, customer_id: uuid.UUID | None = None) -> int:
        if customer_id is None:
            return int(await self._conn.fetchval(_COUNT))
        return int(await self._conn.fetchval(_COUNT_OF, customer_id))

    async def _load(self, rows: list[asyncpg.Record]) -> list[Contract]:
        if not rows:
            return []
        ids = list({r["customer_id"] for r in rows})
        customers = {c.customer_id: c for c in map(customer, await self._conn.fetch(_CUSTOMERS, ids))}
        lines: dict[uuid.UUID, list[Line]] = defaultdict(list)
        for r in await self._conn.fetch(_LINES, [r["contract_id"] for r in rows]):
            lines[r["contract_id"]].append(_line(r))
        return [_contract(r, customers[r["customer_id"]], lines[r["contract_id"]]) for r in rows]


def _line_row(contract_id: uuid.UUID, ln: Line) -> tuple[Any, ...]:
    p = ln.product
    return (ln.line_id, contract_id, p.product_id, p.sku, p.name, ln.item.item_id, ln.annual_price)


def _line(r: asyncpg.Record) -> Line:
    product = ProductInfo(
        r["product_id"], r["sku"], r["name"], r["annual_price"], r["currency"], r["active"], r["version"]
    )
    item = Item(r["item_id"], r["customer_id"], r["manufacturer_no"], r["model"], r["serial_no"])
    return Line(r["line_id"], product, item, r["line_price"])


def _contract(r: asyncpg.Record, owner: Customer, lines: list[Line]) -> Contract:
    return Contract(
        r["contract_id"],
        r["contract_no"],
        owner,
        r["currency"],
        r["start_date"],
        r["end_date"],
        r["billing_interval_months"],
        lines,
        r["status"],
        r["version"],
    )
