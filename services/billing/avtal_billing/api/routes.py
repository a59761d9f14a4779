"""Billing internal HTTP API (called by the gateway and, for PDFs, by the notifier)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from pydantic import BaseModel

from avtal_billing.handlers.billing import run_billing
from avtal_billing.store.repos import ContractRepo, InvoiceRepo
from avtal_common.api.commands import BillingRunIn
from avtal_common.money import Amount


class RunOut(BaseModel):
    run_id: uuid.UUID
    run_key: str
    as_of: date
    invoices_created: int
    finished: bool


class InvoiceLineOut(BaseModel):
    line_no: int
    description: str
    period_start: date
    period_end: date
    amount: Amount


class InvoiceOut(BaseModel):
    invoice_id: uuid.UUID
    invoice_no: str
    contract_id: uuid.UUID
    contract_no: str
    customer_id: uuid.UUID
    customer_name: str
    currency: str
    issue_date: date
    due_date: date
    period_start: date
    period_end: date
    total: Amount
    status: str
    pdf_ready: bool
    lines: list[InvoiceLineOut] = []


def _out(inv: dict[str, Any]) -> InvoiceOut:
    return InvoiceOut(**inv, pdf_ready=inv.get("pdf_sha256") is not None)


class BillingRunController(Controller):
    path = "/billing-runs"

    @post("/")
    async def create(self, request: Request, data: BillingRunIn) -> RunOut:
        """Bill everything due by `as_of` (default today). Reusing a `run_key` creates nothing new."""
        rt = request.app.state.runtime
        as_of = data.as_of or datetime.now(UTC).date()
        result = await run_billing(
            rt.db, as_of, data.run_key or f"manual:{as_of}:{uuid.uuid4()}", rt.settings.payment_terms_days
        )
        return RunOut(**result.__dict__)


class PeriodOut(BaseModel):
    period_start: date
    period_end: date
    amount: Amount
    currency: str
    invoice_id: uuid.UUID | None


class ScheduleController(Controller):
    path = "/contracts"

    @get("/{contract_id:uuid}/schedule")
    async def schedule(self, request: Request, contract_id: uuid.UUID) -> list[PeriodOut]:
        """The billing periods of a contract and which invoice billed each."""
        async with request.app.state.runtime.db.acquire() as conn:
            return [PeriodOut(**p) for p in await ContractRepo(conn).schedule(contract_id)]


class InvoiceController(Controller):
    path = "/invoices"

    @get("/")
    async def list_invoices(
        self,
        request: Request,
        customer_id: uuid.UUID | None = None,
        contract_id: uuid.UUID | None = None,
        limit: int = 200,
    ) -> list[InvoiceOut]:
        async with request.app.state.runtime.db.acquire() as conn:
            found = await InvoiceRepo(conn).search(customer_id, contract_id, min(limit, 1000))
            return [_out(i) for i in found]

    @get("/{invoice_id:uuid}")
    async def get_invoice(self, request: Request, invoice_id: uuid.UUID) -> InvoiceOut:
        async with request.app.state.runtime.db.acquire() as conn:
            return _out(await InvoiceRepo(conn).get(invoice_id))

    @get("/{invoice_id:uuid}/pdf", media_type="application/pdf")
    async def get_pdf(self, request: Request, invoice_id: uuid.UUID) -> Response[bytes]:
        async with request.app.state.runtime.db.acquire() as conn:
            pdf = await InvoiceRepo(conn).pdf(invoice_id)
        return Response(pdf, media_type="application/pdf")
