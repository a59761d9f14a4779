"""Public JSON API under /api/v1 (OpenAPI at /schema)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from pydantic import BaseModel

from avtal_common.api.commands import BillingRunIn, ContractIn, CustomerIn, ProductIn
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.api.deps import services
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import views

IdemKey = Parameter(header="Idempotency-Key", required=False)


def _json(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(mode="json", exclude_unset=True)


def _svc(request: Request) -> Services:
    return services(request)


class StaffController(Controller):
    """Staff commands: forwarded to the owning service (Idempotency-Key passed through)."""

    path = "/api/v1"
    guards = [staff_only]
    tags = ["staff"]

    @post("/customers")
    async def create_customer(
        self, request: Request, data: CustomerIn, idempotency_key: str | None = IdemKey
    ) -> dict[str, Any]:
        return await _svc(request).json(
            "contracts", "POST", "/customers/", json=_json(data), idempotency_key=idempotency_key
        )

    @get("/customers")
    async def list_customers(self, request: Request) -> list[dict[str, Any]]:
        return await _svc(request).json("contracts", "GET", "/customers/")

    @post("/billing-runs")
    async def billing_run(self, request: Request, data: BillingRunIn) -> dict[str, Any]:
        return await _svc(request).json("billing", "POST", "/billing-runs/", json=_json(data))

    @get("/revenue/monthly")
    async def revenue(self, request: Request) -> list[dict[str, Any]]:
        return await _svc(request).json("reporting", "GET", "/revenue/monthly")

    @get("/emails")
    async def emails(self, request: Request) -> list[dict[str, Any]]:
        return await _svc(request).json("notifier", "GET", "/emails/")


class ScopedController(Controller):
    """Reads for staff and customers alike (a customer only ever sees its own customer's data),
    and the staff-only writes that share their paths."""

    path = "/api/v1"
    tags = ["contracts and invoices"]

    @post("/products", guards=[staff_only])
    async def create_product(self, request: Request, data: ProductIn) -> dict[str, Any]:
        return await _svc(request).json("catalog", "POST", "/products/", json=_json(data))

    @post("/contracts", guards=[staff_only])
    async def create_contract(
        self, request: Request, data: ContractIn, idempotency_key: str | None = IdemKey
    ) -> dict[str, Any]:
        return await _svc(request).json(
            "contracts", "POST", "/contracts/", json=_json(data), idempotency_key=idempotency_key
        )

    @get("/products")
    async def products(self, request: Request) -> list[dict[str, Any]]:
        return await views.products(_svc(request))

    @get("/contracts")
    async def contracts(
        self, request: Request[User, Any, Any], customer_id: uuid.UUID | None = None
    ) -> list[dict[str, Any]]:
        return await views.contracts(_svc(request), request.user, customer_id)

    @get("/contracts/{contract_id:uuid}")
    async def contract(self, request: Request[User, Any, Any], contract_id: uuid.UUID) -> dict[str, Any]:
        return await views.contract(_svc(request), request.user, contract_id)

    @get("/contracts/{contract_id:uuid}/schedule")
    async def schedule(
        self, request: Request[User, Any, Any], contract_id: uuid.UUID
    ) -> list[dict[str, Any]]:
        return await views.schedule(_svc(request), request.user, contract_id)

    @get("/invoices")
    async def invoices(
        self,
        request: Request[User, Any, Any],
        customer_id: uuid.UUID | None = None,
        contract_id: uuid.UUID | None = None,
    ) -> list[dict[str, Any]]:
        return await views.invoices(_svc(request), request.user, customer_id, contract_id)

    @get("/invoices/{invoice_id:uuid}")
    async def invoice(self, request: Request[User, Any, Any], invoice_id: uuid.UUID) -> dict[str, Any]:
        return await views.invoice(_svc(request), request.user, invoice_id)

    @get("/invoices/{invoice_id:uuid}/pdf", media_type="application/pdf")
    async def invoice_pdf(self, request: Request[User, Any, Any], invoice_id: uuid.UUID) -> Response[bytes]:
        number, pdf = await views.invoice_pdf(_svc(request), request.user, invoice_id)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'},
        )
