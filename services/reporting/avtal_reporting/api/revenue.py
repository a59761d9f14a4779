"""Reporting internal HTTP API: revenue."""

from __future__ import annotations

import uuid
from datetime import date

from litestar import Controller, get
from pydantic import BaseModel

from avtal_common.money import Amount
from avtal_reporting.store.uow import ReportingUnitOfWork


class RevenueMonth(BaseModel):
    month: date
    currency: str
    invoiced: Amount
    invoices: int


class InvoiceTotal(BaseModel):
    invoice_id: uuid.UUID
    total: Amount


class RevenueController(Controller):
    path = "/revenue"

    @get("/monthly")
    async def monthly(self, uow: ReportingUnitOfWork) -> list[RevenueMonth]:
        async with uow:
            months = await uow.revenue.by_month()
        return [
            RevenueMonth(month=m.month, currency=m.currency, invoiced=m.invoiced, invoices=m.invoices)
            for m in months
        ]

    @get("/invoices")
    async def invoices(self, uow: ReportingUnitOfWork, ids: list[uuid.UUID]) -> list[InvoiceTotal]:
        """Which of these invoices the read model has counted, with their totals."""
        async with uow:
            facts = await uow.revenue.facts(ids)
        return [InvoiceTotal(invoice_id=f.invoice_id, total=f.total) for f in facts]
