"""Reporting internal HTTP API."""

from __future__ import annotations

import uuid
from datetime import date

from litestar import Controller, Request, get
from pydantic import BaseModel

from avtal_common.money import Amount
from avtal_reporting.store.revenue import RevenueRepo


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
    async def monthly(self, request: Request) -> list[RevenueMonth]:
        async with request.app.state.runtime.db.acquire() as conn:
            return [RevenueMonth(**dict(r)) for r in await RevenueRepo(conn).by_month()]

    @get("/invoices")
    async def invoices(self, request: Request, ids: list[uuid.UUID]) -> list[InvoiceTotal]:
        """Which of these invoices the read model has counted, with their totals."""
        async with request.app.state.runtime.db.acquire() as conn:
            return [InvoiceTotal(**dict(r)) for r in await RevenueRepo(conn).invoice_totals(ids)]
