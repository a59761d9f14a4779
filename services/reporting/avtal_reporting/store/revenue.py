"""Revenue read model (asyncpg)."""

from __future__ import annotations

import uuid

import asyncpg

from avtal_reporting.domain.revenue import InvoiceFact, MonthlyRevenue

_FACT_COLUMNS = "invoice_id, invoice_no, customer_id, contract_id, issue_date, currency, total"
_ADD_TO_MONTH = """
INSERT INTO revenue_by_month (month, currency, invoiced, invoices) VALUES ($1, $2, $3, 1)
ON CONFLICT (month, currency) DO UPDATE SET invoiced = revenue_by_month.invoiced + EXCLUDED.invoiced,
    invoices = revenue_by_month.invoices + 1
"""
_BY_MONTH = "SELECT month, currency, invoiced, invoices FROM revenue_by_month ORDER BY month, currency"
_FACTS = f"SELECT {_FACT_COLUMNS} FROM invoice_facts WHERE invoice_id = ANY($1::uuid[])"


class RevenueRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, f: InvoiceFact) -> None:
        """Add the invoice's net total to its month (the caller kept the invoice once, in `facts`)."""
        await self._conn.execute(_ADD_TO_MONTH, f.month, f.currency, f.total)

    async def by_month(self) -> list[MonthlyRevenue]:
        return [MonthlyRevenue(**dict(r)) for r in await self._conn.fetch(_BY_MONTH)]

    async def facts(self, invoice_ids: list[uuid.UUID]) -> list[InvoiceFact]:
        """The counted ones among these invoices."""
        return [InvoiceFact(**dict(r)) for r in await self._conn.fetch(_FACTS, invoice_ids)]
