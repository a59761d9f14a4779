"""Revenue read model (asyncpg)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import asyncpg

_FACT = """
INSERT INTO invoice_facts (invoice_id, invoice_no, customer_id, contract_id, issue_date, currency, total)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (invoice_id) DO NOTHING
"""
_ADD = """
INSERT INTO revenue_by_month (month, currency, invoiced, invoices) VALUES ($1, $2, $3, 1)
ON CONFLICT (month, currency) DO UPDATE SET invoiced = revenue_by_month.invoiced + EXCLUDED.invoiced,
    invoices = revenue_by_month.invoices + 1
"""


class RevenueRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def record_invoice(self, fact: tuple, month: date, currency: str, total: Decimal) -> bool:
        """Count an invoice once: the fact row guards the monthly sum against any replay."""
        if not (await self._conn.execute(_FACT, *fact)).endswith(" 1"):
            return False
        await self._conn.execute(_ADD, month, currency, total)
        return True

    async def by_month(self) -> list[asyncpg.Record]:
        return await self._conn.fetch(
            "SELECT month, currency, invoiced, invoices FROM revenue_by_month ORDER BY month, currency"
        )

    async def invoice_totals(self, invoice_ids: list) -> list[asyncpg.Record]:
        return await self._conn.fetch(
            "SELECT invoice_id, total FROM invoice_facts WHERE invoice_id = ANY($1::uuid[])", invoice_ids
        )
