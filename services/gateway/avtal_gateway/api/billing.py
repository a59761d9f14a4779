"""Public billing API for staff: runs (list, one, its PDFs as a ZIP), payments and the unmatched queue,
receivables, and re-rendering an invoice's PDF."""

from __future__ import annotations

import uuid
from datetime import date
from urllib.parse import quote

from litestar import Controller, Response, get, post
from litestar.params import Parameter

from avtal_common.api.commands import BillingRunIn, PaymentIn, ResolvePaymentIn
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.api.responses import BillingRun, Invoice, Payment, Receivable, RunPreview
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.api.problems import COMMAND, READ_ONE, STAFF_READ, problems
from avtal_gateway.handlers.views import page, parse

RunKey = Parameter(max_length=200, pattern=r"^[^\x00-\x1f\x7f/]+$")


class BillingApiController(Controller):
    path = "/api/v1"
    guards = [staff_only]
    tags = ["billing"]

    @post("/billing-runs", responses=problems(*COMMAND))
    async def start_run(self, services: Services, data: BillingRunIn) -> BillingRun:
        """Bill everything due by `as_of`; reusing a finished run's `run_key` creates nothing new."""
        raw = await services.json(
            "billing", "POST", "/billing-runs/", json=data.model_dump(mode="json", exclude_unset=True)
        )
        made: BillingRun = parse("billing", BillingRun, raw)
        return made

    @get("/billing-runs", responses=problems(*STAFF_READ))
    async def runs(self, services: Services, limit: Limit = 20, offset: Offset = 0) -> Page[BillingRun]:
        """Billing runs, newest first, with their counts and totals per currency."""
        return await page(services, "billing", "/billing-runs/", BillingRun, limit, offset)

    @get("/billing-runs/preview", responses=problems(*STAFF_READ))
    async def preview(self, services: Services, as_of: date | None = None) -> list[RunPreview]:
        """What a run up to `as_of` (default today) would bill, per currency; writes nothing."""
        raw = await services.json("billing", "GET", "/billing-runs/preview", params={"as_of": as_of})
        found: list[RunPreview] = parse("billing", list[RunPreview], raw)
        return found

    @get("/billing-runs/{run_key:str}", responses=problems(*READ_ONE))
    async def run(self, services: Services, run_key: str = RunKey) -> BillingRun:
        """A run: progress (finished or not), invoices, totals per currency, failures per contract."""
        found: BillingRun = parse(
            "billing",
            BillingRun,
            await services.json("billing", "GET", f"/billing-runs/{quote(run_key, safe='')}"),
        )
        return found

    @get(
        "/billing-runs/{run_key:str}/pdfs.zip",
        media_type="application/zip",
        responses=problems(*READ_ONE),
        response_description="Every rendered PDF of the run, named by invoice number",
    )
    async def run_pdfs(self, services: Services, run_key: str = RunKey) -> Response[bytes]:
        r = await services.request("billing", "GET", f"/billing-runs/{quote(run_key, safe='')}/pdfs.zip")
        name = "".join(c if c.isalnum() or c in "-_" else "-" for c in run_key)
        disposition = f'attachment; filename="billing-run-{name}.zip"'
        return Response(r.content, media_type="application/zip", headers={"Content-Disposition": disposition})

    @post("/invoices/{invoice_id:uuid}/pdf/render", status_code=200, responses=problems(*COMMAND))
    async def rerender(self, services: Services, invoice_id: uuid.UUID) -> Invoice:
        """Render an issued invoice's PDF again (its content is unchanged; nothing is re-sent)."""
        raw = await services.json("billing", "POST", f"/invoices/{invoice_id}/pdf/render")
        found: Invoice = parse("billing", Invoice, raw)
        return found

    @get("/payments", responses=problems(*STAFF_READ))
    async def payments(
        self,
        services: Services,
        status: str | None = Parameter(default=None, pattern="^(matched|unmatched)$"),
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[Payment]:
        """Payments, newest first; `status=unmatched` is the queue to resolve."""
        return await page(services, "billing", "/payments", Payment, limit, offset, status=status)

    @post("/payments", status_code=201, responses=problems(*COMMAND))
    async def register(self, services: Services, data: PaymentIn) -> Payment:
        """Register a payment (matched by OCR reference or invoice number; the same id again is a no-op)."""
        raw = await services.json("billing", "POST", "/payments", json=data.model_dump(mode="json"))
        made: Payment = parse("billing", Payment, raw)
        return made

    @post("/payments/{payment_id:str}/resolve", status_code=200, responses=problems(*COMMAND))
    async def resolve(
        self, services: Services, data: ResolvePaymentIn, payment_id: str = Parameter(max_length=100)
    ) -> Payment:
        """Apply an unmatched payment to the invoice chosen."""
        raw = await services.json(
            "billing",
            "POST",
            f"/payments/{quote(payment_id, safe='')}/resolve",
            json=data.model_dump(mode="json"),
        )
        made: Payment = parse("billing", Payment, raw)
        return made

    @get("/receivables", responses=problems(*STAFF_READ))
    async def receivables(self, services: Services, customer_id: uuid.UUID | None = None) -> list[Receivable]:
        """Open balance, overdue part and credit per customer and currency, most overdue first."""
        raw = await services.json("billing", "GET", "/receivables", params={"customer_id": customer_id})
        found: list[Receivable] = parse("billing", list[Receivable], raw)
        return found
