"""Contract repository (asyncpg): a contract is loaded with its customer and its lines."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import fields
from datetime import date
from typing import Any

import asyncpg

from avtal_common.errors import Conflict, NotFound
from avtal_contracts.domain.contracts import Contract, Line, Terms
from avtal_contracts.domain.customers import Customer
from avtal_contracts.domain.items import Item
from avtal_contracts.domain.products import ProductInfo
from avtal_contracts.store.customers import COLUMNS as CUSTOMER_COLUMNS
from avtal_contracts.store.customers import customer
from avtal_contracts.store.items import COLUMNS as ITEM_COLUMNS

_TERMS = (
    "billing_interval_months, billing_timing, price_policy, uplift_pct, uplift_index, auto_renew, "
    "renewal_term_months, notice_days"
)
COLUMNS = (
    f"contract_id, contract_no, customer_id, currency, start_date, end_date, {_TERMS}, status, version, "
    "terminated_on, termination_reason, renewed_from, renewed_to, external_ref"
)
_N = len(COLUMNS.split(","))
_NEXT_NO = "SELECT nextval('contract_no_seq')"
_ADD = f"INSERT INTO contracts ({COLUMNS}) VALUES ({', '.join(f'${i}' for i in range(1, _N + 1))})"
# Optimistic: the row must still be at the version before this change.
_UPDATE = f"""
UPDATE contracts SET ({COLUMNS}, updated_at) = ({", ".join(f"${i}" for i in range(1, _N + 1))}, now())
WHERE contract_id = $1 AND version = ${_N + 1}
"""
_LINE_COLUMNS = (
    "line_id, contract_id, product_id, sku, product_name, item_id, annual_price, unit_price, quantity, "
    "price_source, start_date, end_date"
)
_UPSERT_LINE = f"""
INSERT INTO contract_lines ({_LINE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (line_id) DO UPDATE SET
    product_id = EXCLUDED.product_id, sku = EXCLUDED.sku, product_name = EXCLUDED.product_name,
    annual_price = EXCLUDED.annual_price, unit_price = EXCLUDED.unit_price, quantity = EXCLUDED.quantity,
    price_source = EXCLUDED.price_source, start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date
"""
_DROP_LINES = "DELETE FROM contract_lines WHERE contract_id = $1 AND NOT (line_id = ANY($2::uuid[]))"
_AUDIT = """
INSERT INTO audit_log
    (contract_id, action, detail, correlation_id, actor, version, effective_date, before, after)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
"""
_HISTORY = """
SELECT id, action, detail, correlation_id, actor, version, effective_date, before, after, at
FROM audit_log WHERE contract_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3
"""
_GET = f"SELECT {COLUMNS} FROM contracts WHERE contract_id = $1"
_GET_FOR_UPDATE = f"SELECT {COLUMNS} FROM contracts WHERE contract_id = $1 FOR UPDATE"
_LIST = f"SELECT {COLUMNS} FROM contracts ORDER BY contract_no LIMIT $1 OFFSET $2"
_LIST_OF = f"SELECT {COLUMNS} FROM contracts WHERE customer_id = $3 ORDER BY contract_no LIMIT $1 OFFSET $2"
_COUNT = "SELECT count(*) FROM contracts"
_COUNT_OF = "SELECT count(*) FROM contracts WHERE customer_id = $1"
_CUSTOMERS = f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE customer_id = ANY($1::uuid[])"
_ITEM_COLS = ", ".join(f"i.{c}" for c in ITEM_COLUMNS.split(", "))
_LINES = f"""
SELECT l.line_id, l.contract_id, l.unit_price, l.quantity, l.price_source, l.start_date AS line_start,
       l.end_date AS line_end,
       p.product_id AS p_id, p.sku, p.name, p.annual_price, p.currency, p.active, p.version, p.vat_rate,
       {_ITEM_COLS}
FROM contract_lines l JOIN covered_items i USING (item_id) JOIN products p ON p.product_id = l.product_id
WHERE l.contract_id = ANY($1::uuid[])
ORDER BY p.sku, i.serial_no, l.start_date
"""
# Lines of other contracts covering one of these items on some day of these ranges.
_OVERLAPS = """
SELECT c.contract_id, c.contract_no, l.item_id, l.start_date, l.end_date, i.manufacturer_no, i.serial_no
FROM unnest($2::uuid[], $3::date[], $4::date[]) AS w(item_id, first_day, last_day)
JOIN contract_lines l ON l.item_id = w.item_id
    AND daterange(l.start_date, l.end_date, '[]') && daterange(w.first_day, w.last_day, '[]')
JOIN contracts c ON c.contract_id = l.contract_id
JOIN covered_items i ON i.item_id = l.item_id
WHERE l.contract_id <> $1
ORDER BY i.serial_no, l.start_date
LIMIT 20
"""


class ContractRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def next_number(self) -> str:
        return f"C-{await self._conn.fetchval(_NEXT_NO):06d}"

    async def add(self, c: Contract) -> None:
        await self.check_coverage(c)
        await self._conn.execute(_ADD, *_row(c))
        await self._save_lines(c)

    async def save(self, c: Contract) -> None:
        """Stores a changed contract whose version is one more than the stored one; a contract changed
        by someone else meanwhile is a Conflict (load it again and redo the change)."""
        await self.check_coverage(c)
        done = await self._conn.execute(_UPDATE, *_row(c), c.version - 1)
        if done != "UPDATE 1":
            raise Conflict(f"contract {c.contract_no} was changed meanwhile; reload it and try again")
        await self._conn.execute(_DROP_LINES, c.contract_id, [ln.line_id for ln in c.lines])
        await self._save_lines(c)

    async def check_coverage(self, c: Contract) -> None:
        """No double coverage: a 409 naming the other contract and its dates (the exclusion constraint
        on contract_lines is the backstop against races)."""
        if not c.lines:
            return
        rows = await self._conn.fetch(
            _OVERLAPS,
            c.contract_id,
            [ln.item.item_id for ln in c.lines],
            [ln.start_date for ln in c.lines],
            [ln.end_date for ln in c.lines],
        )
        if rows:
            raise Conflict(_overlap_message(rows))

    async def audit(
        self,
        contract_id: uuid.UUID,
        action: str,
        detail: dict[str, Any],
        correlation_id: str | None,
        *,
        actor: str | None = None,
        version: int | None = None,
        effective_date: date | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        await self._conn.execute(
            _AUDIT, contract_id, action, detail, correlation_id, actor, version, effective_date, before, after
        )

    async def history(self, contract_id: uuid.UUID, limit: int, offset: int) -> list[dict[str, Any]]:
        """The audit entries of a contract, newest first."""
        return [dict(r) for r in await self._conn.fetch(_HISTORY, contract_id, limit, offset)]

    async def get(self, contract_id: uuid.UUID, *, for_update: bool = False) -> Contract:
        """The contract; `for_update` locks its row until the transaction ends (changes load it so)."""
        query = _GET_FOR_UPDATE if for_update else _GET
        found = await self.load(await self._conn.fetch(query, contract_id))
        if not found:
            raise NotFound(f"contract {contract_id} does not exist")
        return found[0]

    async def load(self, rows: list[asyncpg.Record]) -> list[Contract]:
        """Contracts from rows of `SELECT {COLUMNS} FROM contracts ...`, with customers and lines."""
        if not rows:
            return []
        ids = list({r["customer_id"] for r in rows})
        customers = {c.customer_id: c for c in map(customer, await self._conn.fetch(_CUSTOMERS, ids))}
        lines: dict[uuid.UUID, list[Line]] = defaultdict(list)
        for r in await self._conn.fetch(_LINES, [r["contract_id"] for r in rows]):
            lines[r["contract_id"]].append(_line(r))
        return [_contract(r, customers[r["customer_id"]], lines[r["contract_id"]]) for r in rows]

    async def _save_lines(self, c: Contract) -> None:
        await self._conn.executemany(_UPSERT_LINE, [_line_row(c.contract_id, ln) for ln in c.lines])

    async def list(self, limit: int, offset: int, customer_id: uuid.UUID | None = None) -> list[Contract]:
        """Contracts by number (of one customer, if given), `limit` of them from `offset` on."""
        if customer_id is None:
            return await self.load(await self._conn.fetch(_LIST, limit, offset))
        return await self.load(await self._conn.fetch(_LIST_OF, limit, offset, customer_id))

    async def count(self, customer_id: uuid.UUID | None = None) -> int:
        if customer_id is None:
            return int(await self._conn.fetchval(_COUNT))
        return int(await self._conn.fetchval(_COUNT_OF, customer_id))


def _overlap_message(rows: list[asyncpg.Record]) -> str:
    r = rows[0]
    more = f" (and {len(rows) - 1} more)" if len(rows) > 1 else ""
    return (
        f"item {r['manufacturer_no']}/{r['serial_no']} is already covered by contract {r['contract_no']} "
        f"from {r['start_date']} to {r['end_date']}{more}: an item can be on one contract per day"
    )


def _row(c: Contract) -> tuple[Any, ...]:
    t = c.terms
    return (
        *(c.contract_id, c.contract_no, c.customer.customer_id, c.currency, c.start_date, c.end_date),
        *(t.billing_interval_months, t.billing_timing, t.price_policy, t.uplift_pct, t.uplift_index),
        *(t.auto_renew, t.renewal_term_months, t.notice_days, c.status, c.version, c.terminated_on),
        *(c.termination_reason, c.renewed_from, c.renewed_to, c.external_ref),
    )


def _line_row(contract_id: uuid.UUID, ln: Line) -> tuple[Any, ...]:
    p = ln.product
    return (
        *(ln.line_id, contract_id, p.product_id, p.sku, p.name, ln.item.item_id, ln.annual_price),
        *(ln.unit_price, ln.quantity, ln.price_source, ln.start_date, ln.end_date),
    )


def _line(r: asyncpg.Record) -> Line:
    product = ProductInfo(
        r["p_id"],
        r["sku"],
        r["name"],
        r["annual_price"],
        r["currency"],
        r["active"],
        r["version"],
        vat_rate=r["vat_rate"],
    )
    item = Item(**{k: r[k] for k in ITEM_COLUMNS.split(", ")})
    return Line(
        r["line_id"],
        product,
        item,
        r["unit_price"],
        r["line_start"],
        r["line_end"],
        r["quantity"],
        r["price_source"],
    )


def _contract(r: asyncpg.Record, owner: Customer, lines: list[Line]) -> Contract:
    terms = Terms(**{k: r[k] for k in _TERMS.split(", ")})
    return Contract(
        r["contract_id"],
        r["contract_no"],
        owner,
        r["currency"],
        r["start_date"],
        r["end_date"],
        terms,
        lines,
        r["status"],
        r["version"],
        r["terminated_on"],
        r["termination_reason"],
        r["renewed_from"],
        r["renewed_to"],
        r["external_ref"],
    )


def snapshot(c: Contract) -> dict[str, Any]:
    """The contract as the audit trail's before/after keeps it (JSON-ready)."""
    return {
        "status": c.status,
        "start_date": c.start_date.isoformat(),
        "end_date": c.end_date.isoformat(),
        "terms": {
            k: (str(v) if v is not None and not isinstance(v, bool | int | str) else v)
            for k, v in ((f.name, getattr(c.terms, f.name)) for f in fields(c.terms))  # flat: no deep copy
        },
        "lines": [
            {
                "line_id": str(ln.line_id),
                "sku": ln.product.sku,
                "serial_no": ln.item.serial_no,
                "unit_price": str(ln.unit_price),
                "quantity": ln.quantity,
                "start_date": ln.start_date.isoformat(),
                "end_date": ln.end_date.isoformat(),
            }
            for ln in c.lines
        ],
    }
