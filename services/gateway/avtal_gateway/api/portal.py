"""Server-rendered portal: staff workspace and customer portal on the same routes, scoped by role."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import Parameter
from litestar.response import Template

from avtal_gateway.adapters.services import Services
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import renewals, views

# Rows per list on a portal page; next/previous links page through the rest.
PORTAL_PAGE = 25


class PortalController(Controller):
    include_in_schema = False

    @get("/")
    async def home(
        self,
        services: Services,
        request: Request[User, Any, Any],
        contracts_offset: int = Parameter(ge=0, default=0),
        invoices_offset: int = Parameter(ge=0, default=0),
    ) -> Template:
        """Contracts and invoices a page at a time (a customer user sees only its own)."""
        user = request.user
        context: dict[str, Any] = {
            "user": user,
            "contracts": await views.contracts(services, user, limit=PORTAL_PAGE, offset=contracts_offset),
            "invoices": await views.invoices(services, user, limit=PORTAL_PAGE, offset=invoices_offset),
        }
        if user.is_staff:
            context["revenue"] = await views.revenue(services)
        return Template("home.html", context=context)

    @get("/contracts/{contract_id:uuid}")
    async def contract(
        self,
        services: Services,
        request: Request[User, Any, Any],
        contract_id: uuid.UUID,
        invoices_offset: int = Parameter(ge=0, default=0),
    ) -> Template:
        user = request.user
        c = await views.contract(services, user, contract_id)
        invs = await views.invoices(
            services, user, contract_id=contract_id, limit=PORTAL_PAGE, offset=invoices_offset
        )
        renewal = await renewals.offer(services, user, contract_id) if c.status == "expiring" else None
        context = {"user": user, "c": c, "invoices": invs, "renewal": renewal}
        return Template("contract.html", context=context)

    @get("/invoices/{invoice_id:uuid}/pdf", media_type="application/pdf")
    async def invoice_pdf(
        self, services: Services, request: Request[User, Any, Any], invoice_id: uuid.UUID
    ) -> Response[bytes]:
        number, pdf = await views.invoice_pdf(services, request.user, invoice_id)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'},
        )
