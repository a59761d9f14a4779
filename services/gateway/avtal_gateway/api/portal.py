"""Server-rendered portal: staff workspace and customer portal on the same routes, scoped by role."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template

from avtal_gateway.api.deps import services
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import views


class PortalController(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[User, Any, Any]) -> Template:
        svc, user = services(request), request.user
        context: dict[str, Any] = {
            "user": user,
            "contracts": await views.contracts(svc, user),
            "invoices": (await views.invoices(svc, user))[:50],
        }
        if user.is_staff:
            context["revenue"] = await svc.json("reporting", "GET", "/revenue/monthly")
        return Template("home.html", context=context)

    @get("/contracts/{contract_id:uuid}")
    async def contract(self, request: Request[User, Any, Any], contract_id: uuid.UUID) -> Template:
        svc, user = services(request), request.user
        c = await views.contract(svc, user, contract_id)
        invs = await views.invoices(svc, user, contract_id=contract_id)
        return Template("contract.html", context={"user": user, "c": c, "invoices": invs})

    @get("/invoices/{invoice_id:uuid}/pdf", media_type="application/pdf")
    async def invoice_pdf(self, request: Request[User, Any, Any], invoice_id: uuid.UUID) -> Response[bytes]:
        number, pdf = await views.invoice_pdf(services(request), request.user, invoice_id)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'},
        )
