"""Public JSON API under /api/v1 (OpenAPI at /schema)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import Parameter
from pydantic import BaseModel, EmailStr, Field

from avtal_common.api.commands import BillingRunIn, ContractIn, CustomerIn, ProductIn
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.api.deps import services
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import views
from avtal_gateway.handlers.users import authenticate, create_user

IdemKey = Parameter(header="Idempotency-Key", required=False)


class LoginIn(BaseModel):
    email: str
    password: str


class UserOut(BaseModel):
    user_id: uuid.UUID
    email: str
    role: str
    customer_id: uuid.UUID | None


class UserIn(BaseModel):
    email: EmailStr
    password: str = Field(min_length=10)
    role: str = Field(pattern="^(staff|customer)$")
    customer_id: uuid.UUID | None = None


def _user_out(u: User) -> UserOut:
    return UserOut(user_id=u.user_id, email=u.email, role=u.role, customer_id=u.customer_id)


def _json(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(mode="json", exclude_unset=True)


def _svc(request: Request) -> Services:
    return services(request)


class SessionController(Controller):
    path = "/api/v1"
    tags = ["session"]

    @post("/login")
    async def login(self, request: Request, data: LoginIn) -> UserOut:
        user = await authenticate(request.app.state.runtime.db, data.email, data.password)
        if user is None:
            raise NotAuthorizedException("wrong e-mail or password")
        request.set_session({"user_id": str(user.user_id)})
        return _user_out(user)

    @post("/logout", status_code=204)
    async def logout(self, request: Request) -> None:
        request.clear_session()

    @get("/me")
    async def me(self, request: Request[User, Any, Any]) -> UserOut:
        return _user_out(request.user)


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

    @post("/users")
    async def create_user(self, request: Request, data: UserIn) -> UserOut:
        if data.customer_id is not None:
            await _svc(request).json("contracts", "GET", f"/customers/{data.customer_id}")
        user = await create_user(
            request.app.state.runtime.db, str(data.email), data.password, data.role, data.customer_id
        )
        return _user_out(user)


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
