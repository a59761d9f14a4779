"""Billing repositories (asyncpg)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import asyncpg

from avtal_billing.domain.billing import Period
from avtal_common.errors import NotFound

_CONTRACT_UPSERT = """
INSERT INTO contracts (contract_id, contract_no, customer_id, customer_name, customer_email, locale,
                       currency, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (contract_id) DO UPDATE SET contract_no = EXCLUDED.contract_no,
    customer_name = EXCLUDED.customer_name, customer_email = EXCLUDED.customer_email,
    locale = EXCLUDED.locale, version = EXCLUDED.version
WHERE contracts.version < EXCLUDED.version
"""
_PERIOD_INSERT = """
INSERT INTO billing_periods (contract_id, period_start, period_end, amount, currency, lines)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (contract_id, period_start) DO NOTHING
"""
_DUE = """
SELECT p.contract_id, p.period_start, p.period_end, p.amount, p.currency, p.lines,
       c.contract_no, c.customer_id, c.customer_name, c.customer_email, c.locale
FROM billing_periods p JOIN contracts c USING (contract_id)
WHERE p.invoice_id IS NULL AND p.period_start <= $1
ORDER BY p.period_start, p.contract_id LIMIT $2 FOR UPDATE OF p SKIP LOCKED
"""
_NEXT_NUMBERS = """
INSERT INTO invoice_sequences (series, last_no) VALUES ($1, $2)
ON CONFLICT (series) DO UPDATE SET last_no = invoice_sequences.last_no + EXCLUDED.last_no
RETURNING last_no
"""
_INVOICE_COLS = (
    "invoice_id, invoice_no, contract_id, contract_no, customer_id, customer_name, "
    "customer_email, locale, currency, issue_date, due_date, period_start, period_end, "
    "total, status, run_id"
)
_INSERT_COLS = f"{_INVOICE_COLS}, correlation_id"
_INVOICE_INSERT = f"INSERT INTO invoices ({_INSERT_COLS}) VALUES ({', '.join(f'${i}' for i in range(1, 18))})"
_LINE_INSERT = """
INSERT INTO invoice_lines (invoice_id, line_no, description, period_start, period_end, amount)
VALUES ($1, $2, $3, $4, $5, $6)
"""
_MARK_BILLED = "UPDATE billing_periods SET invoice_id = $3 WHERE contract_id = $1 AND period_start = $2"


class ContractRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def apply(self, c: dict[str, Any], version: int) -> bool:
        """Store the contract unless a newer version is known; True if this version was stored."""
        status = await self._conn.execute(
            _CONTRACT_UPSERT,
            c["contract_id"],
            c["contract_no"],
            c["customer_id"],
            c["customer_name"],
            c["customer_email"],
            c["locale"],
            c["currency"],
            version,
        )
        return status.endswith(" 1")

    async def add_schedule(self, contract_id: uuid.UUID, currency: str, periods: list[Period]) -> None:
        await self._conn.executemany(
            _PERIOD_INSERT,
            [
                (
                    contract_id,
                    p.start,
                    p.end - timedelta(days=1),
                    p.amount,
                    currency,
                    [{"description": ln.description, "amount": str(ln.amount)} for ln in p.lines],
                )
                for p in periods
            ],
        )

    async def schedule(self, contract_id: uuid.UUID) -> list[dict[str, Any]]:
        rows = await self._conn.fetch(
            "SELECT period_start, period_end, amount, currency, invoice_id FROM billing_periods "
            "WHERE contract_id = $1 ORDER BY period_start",
            contract_id,
        )
        if not rows:
            raise NotFound(f"billing has no schedule for contract {contract_id} (yet)")
        return [dict(r) for r in rows]


class InvoiceRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def due_periods(self, as_of: date, limit: int) -> list[asyncpg.Record]:
        return await self._conn.fetch(_DUE, as_of, limit)

    async def reserve_numbers(self, series: str, count: int) -> range:
        last = await self._conn.fetchval(_NEXT_NUMBERS, series, count)
        return range(last - count + 1, last + 1)

    async def add(self, inv: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        await self._conn.execute(_INVOICE_INSERT, *(inv[c.strip()] for c in _INSERT_COLS.split(",")))
        await self._conn.executemany(
            _LINE_INSERT,
            [
                (
                    inv["invoice_id"],
                    i,
                    ln["description"],
                    inv["period_start"],
                    inv["period_end"],
                    ln["amount"],
                )
                for i, ln in enumerate(lines, 1)
            ],
        )
        await self._conn.execute(_MARK_BILLED, inv["contract_id"], inv["period_start"], inv["invoice_id"])

    async def get(self, invoice_id: uuid.UUID) -> dict[str, Any]:
        row = await self._conn.fetchrow(
            f"SELECT {_INVOICE_COLS}, pdf_sha256, correlation_id FROM invoices WHERE invoice_id = $1",
            invoice_id,
        )
        if row is None:
            raise NotFound(f"invoice {invoice_id} does not exist")
        inv = dict(row)
        inv["lines"] = [
            dict(r)
            for r in await self._conn.fetch(
                "SELECT line_no, description, period_start, period_end, amount FROM invoice_lines "
                "WHERE invoice_id = $1 ORDER BY line_no",
                invoice_id,
            )
        ]
        return inv

    async def search(
        self, customer_id: uuid.UUID | None, contract_id: uuid.UUID | None, limit: int
    ) -> list[dict[str, Any]]:
        rows = await self._conn.fetch(
            f"SELECT {_INVOICE_COLS}, pdf_sha256 FROM invoices WHERE ($1::uuid IS NULL OR customer_id = $1)"
            " AND ($2::uuid IS NULL OR contract_id = $2) ORDER BY issue_date DESC, invoice_no DESC LIMIT $3",
            customer_id,
            contract_id,
            limit,
        )
        return [dict(r) for r in rows]

    async def pdf(self, invoice_id: uuid.UUID) -> bytes:
        row = await self._conn.fetchrow("SELECT pdf FROM invoices WHERE invoice_id = $1", invoice_id)
        if row is None or row["pdf"] is None:
            raise NotFound(f"the PDF of invoice {invoice_id} does not exist (yet)")
        return bytes(row["pdf"])

    async def unrendered(self, limit: int) -> list[uuid.UUID]:
        rows = await self._conn.fetch(
            "SELECT invoice_id FROM invoices WHERE pdf IS NULL ORDER BY created_at LIMIT $1 "
            "FOR UPDATE SKIP LOCKED",
            limit,
        )
        return [r["invoice_id"] for r in rows]

    async def attach_pdf(self, invoice_id: uuid.UUID, pdf: bytes, sha256: str) -> None:
        await self._conn.execute(
            "UPDATE invoices SET pdf = $2, pdf_sha256 = $3 WHERE invoice_id = $1", invoice_id, pdf, sha256
        )


class RunRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def start(self, run_id: uuid.UUID, run_key: str, as_of: date) -> dict[str, Any]:
        await self._conn.execute(
            "INSERT INTO billing_runs (run_id, run_key, as_of) VALUES ($1, $2, $3) "
            "ON CONFLICT (run_key) DO NOTHING",
            run_id,
            run_key,
            as_of,
        )
        return await self.get(run_key)

    async def get(self, run_key: str) -> dict[str, Any]:
        row = await self._conn.fetchrow("SELECT * FROM billing_runs WHERE run_key = $1", run_key)
        if row is None:
            raise NotFound(f"billing run {run_key!r} does not exist")
        return dict(row)

    async def add_invoices(self, run_id: uuid.UUID, count: int) -> None:
        await self._conn.execute(
            "UPDATE billing_runs SET invoices_created = invoices_created + $2 WHERE run_id = $1",
            run_id,
            count,
        )

    async def finish(self, run_id: uuid.UUID) -> None:
        await self._conn.execute("UPDATE billing_runs SET finished_at = now() WHERE run_id = $1", run_id)
