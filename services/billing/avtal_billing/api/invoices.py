"""Invoices over HTTP (called by the gateway and, for PDFs, by the notifier)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import asdict
from typing import Any

from litestar import Controller, Response, get, post
from litestar.exceptions import ServiceUnavailableException as ServiceUnavailable

from avtal_billing.domain.invoices import Invoice
from avtal_billing.settings import BillingSettings
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.api import responses
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.errors import Conflict


class InvoiceOut(responses.Invoice):
    """An invoice as billing answers it: the public fields plus the state of its PDF."""

    pdf_attempts: int = 0
    pdf_error: str | None = None
    pdf_sha256: str | None = None  # of the stored PDF (a re-render stores its own)


def _out(inv: Invoice) -> InvoiceOut:
    fields = {k: v for k, v in asdict(inv).items() if k in InvoiceOut.model_fields}
    buyer = inv.buyer
    return InvoiceOut(
        **fields,
        pdf_ready=inv.pdf_sha256 is not None,
        buyer_address=buyer.address_lines if buyer else [],
        buyer_vat_no=buyer.tax_id if buyer else None,
    )


class InvoiceController(Controller):
    path = "/invoices"

    @get("/")
    async def list_invoices(
        self,
        uow: BillingUnitOfWork,
        customer_id: uuid.UUID | None = None,
        contract_id: uuid.UUID | None = None,
        kind: responses.InvoiceKind | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[InvoiceOut]:
        """Invoices, newest first, one page at a time (without their lines); `kind` narrows to invoices,
        credit notes or renewal quotes."""
        async with uow:
            found, total = await uow.invoices.search(customer_id, contract_id, limit, offset, kind)
        return Page(items=[_out(i) for i in found], total=total, limit=limit, offset=offset)

    @get("/{invoice_id:uuid}")
    async def get_invoice(self, invoice_id: uuid.UUID, uow: BillingUnitOfWork) -> InvoiceOut:
        async with uow:
            return _out(await uow.invoices.get(invoice_id))

    @post("/{invoice_id:uuid}/pdf/render", status_code=200)
    async def rerender(
        self, invoice_id: uuid.UUID, uow: BillingUnitOfWork, runtime: Any, settings: BillingSettings
    ) -> InvoiceOut:
        """Render the issued invoice's PDF again now (a template fix, a lost file); its new checksum is
        stored and nothing is announced (the invoice itself is unchanged)."""
        renderer = runtime.state.get("pdf_renderer")  # runtime: avtal_common.runtime.Runtime
        if renderer is None:
            raise ServiceUnavailable("the PDF workers are not running yet; try again in a moment")
        async with uow:
            inv = await uow.invoices.get(invoice_id)
        pdf = await renderer.render(inv, settings.seller())
        async with uow:
            if not await uow.invoices.replace_pdf(invoice_id, pdf, hashlib.sha256(pdf).hexdigest()):
                raise Conflict(f"invoice {inv.invoice_no} has no PDF yet: it is rendered once it is issued")
            return _out(await uow.invoices.get(invoice_id))

    @get("/{invoice_id:uuid}/pdf", media_type="application/pdf")
    async def get_pdf(self, invoice_id: uuid.UUID, uow: BillingUnitOfWork) -> Response[bytes]:
        async with uow:
            pdf = await uow.invoices.pdf(invoice_id)
        return Response(pdf, media_type="application/pdf")
