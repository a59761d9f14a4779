"""Portal screens of invoices: the list (invoices, credit notes, renewal quotes) and one document with its
lines, service periods, serials, VAT summary and PDF; staff may render its PDF again."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template

from avtal_common.api.responses import InvoiceKind
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import views

PAGE = 25
AnyUser = Request[User, Any, Any]
TITLES = {None: "Invoices, credit notes and quotes", "invoice": "Invoices", "credit_note": "Credit notes",
          "renewal_quote": "Renewal quotes"}  # fmt: skip


class InvoicePortalController(Controller):
    path = "/invoices"
    include_in_schema = False

    @get("/")
    async def list_invoices(
        self,
        services: Services,
        request: AnyUser,
        kind: InvoiceKind | None = None,
        customer_id: uuid.UUID | None = None,
        offset: int = Parameter(ge=0, default=0),
    ) -> Template:
        """A page of documents, newest first (a customer user sees only its own)."""
        user = request.user
        found = await views.invoices(services, user, customer_id, limit=PAGE, offset=offset, kind=kind)
        keep = {k: str(v) for k, v in {"kind": kind, "customer_id": customer_id}.items() if v}
        context = {"user": user, "invoices": found, "kind": kind, "keep": keep, "title": TITLES[kind]}
        return Template("invoices.html", context=context)

    @get("/{invoice_id:uuid}")
    async def detail(
        self, services: Services, request: AnyUser, invoice_id: uuid.UUID, rendered: bool = False
    ) -> Template:
        """One document: buyer, dates, lines with service periods and serials, VAT per rate, the PDF."""
        inv = await views.invoice(services, request.user, invoice_id)
        context = {"user": request.user, "i": inv, "vat_groups": views.vat_groups(inv), "rendered": rendered}
        return Template("invoice.html", context=context)

    @post("/{invoice_id:uuid}/pdf/render", guards=[staff_only])
    async def rerender(self, services: Services, invoice_id: uuid.UUID) -> Redirect:
        """Render the PDF again (a template fix); billing stores its new checksum and re-sends nothing."""
        await services.json("billing", "POST", f"/invoices/{invoice_id}/pdf/render")
        return Redirect(f"/invoices/{invoice_id}?rendered=true")
