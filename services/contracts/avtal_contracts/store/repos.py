"""Contracts repositories (asyncpg): SQL as constants, rows mapped to domain objects."""

from __future__ import annotations

import uuid
from collections import defaultdict

import asyncpg

from avtal_common.errors import NotFound
from avtal_contracts.domain.model import Contract, Customer, Item, Line, ProductInfo

_PRODUCT_UPSERT = """
INSERT INTO products (product_id, sku, name, annual_price, currency, active, version)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (product_id) DO UPDATE SET sku = EXCLUDED.sku, name = EXCLUDED.name,
    annual_price = EXCLUDED.annual_price, currency = EXCLUDED.currency, active = EXCLUDED.active,
    version = EXCLUDED.version
WHERE products.version < EXCLUDED.version
"""
_NEXT_NO = "SELECT nextval('contract_no_seq')"
_PRODUCT_COLS = "product_id, sku, name, annual_price, currency, active, version"
_CUSTOMER_COLS = "customer_id, name, email, locale, external_ref"
_CONTRACT_COLS = (
    "contract_id, contract_no, customer_id, currency, start_date, end_date, "
    "billing_interval_months, status, version"
)
_LINES = """
SELECT l.line_id, l.contract_id, l.annual_price AS line_price,
       p.product_id, p.sku, p.name, p.annual_price, p.currency, p.active, p.version,
       i.item_id, i.manufacturer_no, i.model, i.serial_no
FROM contract_lines l JOIN covered_items i USING (item_id) JOIN products p USING (product_id)
WHERE l.contract_id = ANY($1::uuid[])
ORDER BY p.sku, i.serial_no
"""


class ProductRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def apply(self, p: ProductInfo) -> None:
        """Keep the newest version only: stale or duplicate events change nothing."""
        await self._conn.execute(
            _PRODUCT_UPSERT, p.product_id, p.sku, p.name, p.annual_price, p.currency, p.active, p.version
        )

    async def by_sku(self, sku: str) -> ProductInfo:
        row = await self._conn.fetchrow(f"SELECT {_PRODUCT_COLS} FROM products WHERE sku = $1", sku)
        if row is None:
            raise NotFound(
                f"product {sku!r} is not in the catalog (a new product can take a moment "
                f"to arrive; retry shortly)"
            )
        return ProductInfo(**dict(row))


class CustomerRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, c: Customer) -> None:
        await self._conn.execute(
            f"INSERT INTO customers ({_CUSTOMER_COLS}) VALUES ($1, $2, $3, $4, $5)",
            c.customer_id,
            c.name,
            c.email,
            c.locale,
            c.external_ref,
        )

    async def get(self, customer_id: uuid.UUID) -> Customer:
        row = await self._conn.fetchrow(
            f"SELECT {_CUSTOMER_COLS} FROM customers WHERE customer_id = $1", customer_id
        )
        if row is None:
            raise NotFound(f"customer {customer_id} does not exist")
        return Customer(**dict(row))

    async def by_external_ref(self, ref: str) -> Customer | None:
        row = await self._conn.fetchrow(
            f"SELECT {_CUSTOMER_COLS} FROM customers WHERE external_ref = $1", ref
        )
        return Customer(**dict(row)) if row else None

    async def list(self, limit: int, offset: int) -> list[Customer]:
        rows = await self._conn.fetch(
            f"SELECT {_CUSTOMER_COLS} FROM customers ORDER BY name LIMIT $1 OFFSET $2", limit, offset
        )
        return [Customer(**dict(r)) for r in rows]


class ItemRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def find(self, manufacturer_no: str, serial_no: str) -> tuple[uuid.UUID, Item] | None:
        row = await self._conn.fetchrow(
            "SELECT item_id, customer_id, manufacturer_no, model, serial_no FROM covered_items "
            "WHERE manufacturer_no = $1 AND serial_no = $2",
            manufacturer_no,
            serial_no,
        )
        if row is None:
            return None
        return row["customer_id"], Item(
            row["item_id"], row["manufacturer_no"], row["model"], row["serial_no"]
        )

    async def add(self, customer_id: uuid.UUID, item: Item) -> None:
        await self._conn.execute(
            "INSERT INTO covered_items (item_id, customer_id, manufacturer_no, model, serial_no) "
            "VALUES ($1, $2, $3, $4, $5)",
            item.item_id,
            customer_id,
            item.manufacturer_no,
            item.model,
            item.serial_no,
        )


class ContractRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def next_number(self) -> str:
        number = await self._conn.fetchval(_NEXT_NO)
        return f"C-{number:06d}"

    async def add(self, c: Contract) -> None:
        await self._conn.execute(
            f"INSERT INTO contracts ({_CONTRACT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
        await self._conn.executemany(
            "INSERT INTO contract_lines (line_id, contract_id, product_id, sku, product_name, item_id,"
            " annual_price) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                (
                    ln.line_id,
                    c.contract_id,
                    ln.product.product_id,
                    ln.product.sku,
                    ln.product.name,
                    ln.item.item_id,
                    ln.annual_price,
                )
                for ln in c.lines
            ],
        )

    async def audit(self, contract_id: uuid.UUID, action: str, detail: dict, cid: str | None) -> None:
        await self._conn.execute(
            "INSERT INTO audit_log (contract_id, action, detail, correlation_id) VALUES ($1,$2,$3,$4)",
            contract_id,
            action,
            detail,
            cid,
        )

    async def get(self, contract_id: uuid.UUID) -> Contract:
        found = await self._load("contract_id = $1", contract_id)
        if not found:
            raise NotFound(f"contract {contract_id} does not exist")
        return found[0]

    async def for_customer(self, customer_id: uuid.UUID) -> list[Contract]:
        return await self._load("customer_id = $1", customer_id)

    async def list(self, limit: int, offset: int) -> list[Contract]:
        return await self._load("true ORDER BY contract_no LIMIT $1 OFFSET $2", limit, offset)

    async def _load(self, where: str, *args: object) -> list[Contract]:
        rows = await self._conn.fetch(f"SELECT {_CONTRACT_COLS} FROM contracts WHERE {where}", *args)
        if not rows:
            return []
        ids = [r["contract_id"] for r in rows]
        customers = {
            r["customer_id"]: r
            for r in await self._conn.fetch(
                f"SELECT {_CUSTOMER_COLS} FROM customers WHERE customer_id = ANY($1::uuid[])",
                [r["customer_id"] for r in rows],
            )
        }
        lines: dict[uuid.UUID, list[Line]] = defaultdict(list)
        for r in await self._conn.fetch(_LINES, ids):
            product = ProductInfo(
                r["product_id"],
                r["sku"],
                r["name"],
                r["annual_price"],
                r["currency"],
                r["active"],
                r["version"],
            )
            item = Item(r["item_id"], r["manufacturer_no"], r["model"], r["serial_no"])
            lines[r["contract_id"]].append(Line(r["line_id"], product, item, r["line_price"]))
        return [
            Contract(
                r["contract_id"],
                r["contract_no"],
                Customer(**dict(customers[r["customer_id"]])),
                r["currency"],
                r["start_date"],
                r["end_date"],
                r["billing_interval_months"],
                lines[r["contract_id"]],
                r["status"],
                r["version"],
            )
            for r in rows
        ]
