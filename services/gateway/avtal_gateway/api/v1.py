"""Public JSON API under /api/v1 (OpenAPI at /schema)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, TypeVar

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import ValidationException
from litestar.params import Parameter
from pydantic import BaseModel, ValidationError

from avtal_common.api.commands import (
    ContractIn,
    ContractSelectionIn,
    ContractStatus,
    CustomerIn,
    ProductIn,
)
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.api.responses import (
    Contract,
    Customer,
    Email,
    Invoice,
    InvoiceKind,
    Product,
    RevenueMonth,
    SchedulePeriod,
)
from avtal_common.api.text import QueryText
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.api.problems import COMMAND, READ, READ_ONE, STAFF_READ, problems
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import contracts_bulk, customers, views

IdemKey = Parameter(header="Idempotency-Key", required=False)
T = TypeVar("T", bound=BaseModel)


async def _forward(svc: Services, service: str, path: str, shape: type[T], body: BaseModel, **kw: Any) -> T:
    """A staff command forwarded to the owning service; its answer as the public model."""
    raw = await svc.json(service, "POST", path, json=body.model_dump(mode="json", exclude_unset=True), **kw)
    made: T = views.parse(service, shape, raw)
    return made


class StaffController(Controller):
    """Staff commands: forwarded to the owning service (Idempotency-Key passed through)."""

    path = "/api/v1"
    guards = [staff_only]
    tags = ["staff"]

    @post("/customers", responses=problems(*COMMAND))
    async def create_customer(
        self, services: Services, data: CustomerIn, idempotency_key: str | None = IdemKey
    ) -> Customer:
        return await _forward(
            services, "contracts", "/customers/", Customer, data, idempotency_key=idempotency_key
        )

    @get("/customers", responses=problems(*STAFF_READ))
    async def list_customers(
        self, services: Services, q: QueryText = None, limit: Limit = 100, offset: Offset = 0
    ) -> Page[Customer]:
        """By name; `q` keeps those whose name, e-mail, references, city or tax id contain it."""
        return await customers.customers(services, q, limit, offset)

    @get("/revenue/monthly", responses=problems(*STAFF_READ))
    async def revenue(self, services: Services) -> list[RevenueMonth]:
        return await views.revenue(services)

    @get("/emails", responses=problems(*STAFF_READ))
    async def emails(
        self,
        services: Services,
        limit: Limit = 100,
        offset: Offset = 0,
        status: str | None = Parameter(default=None, pattern="^(pending|sent|failed)$"),
        customer_id: uuid.UUID | None = None,
    ) -> Page[Email]:
        """The notifier's e-mails, newest first; `status=failed` lists what could not be delivered."""
        return await views.emails(services, limit, offset, status, str(customer_id) if customer_id else None)


class ScopedController(Controller):
    """Reads for staff and customers alike (a customer only ever sees its own customer's data),
    and the staff-only writes that share their paths."""

    path = "/api/v1"
    tags = ["contracts and invoices"]

    @post("/products", guards=[staff_only], responses=problems(*COMMAND))
    async def create_product(self, services: Services, data: ProductIn) -> Product:
        return await _forward(services, "catalog", "/products/", Product, data)

    @post("/contracts", guards=[staff_only], responses=problems(*COMMAND))
    async def create_contract(
        self, services: Services, data: ContractIn, idempotency_key: str | None = IdemKey
    ) -> Contract:
        return await _forward(
            services, "contracts", "/contracts/", Contract, data, idempotency_key=idempotency_key
        )

    @get("/products", responses=problems(*READ))
    async def products(self, services: Services, limit: Limit = 100, offset: Offset = 0) -> Page[Product]:
        return await views.products(services, limit, offset)

    @get("/contracts", responses=problems(*READ))
    async def contracts(
        self,
        services: Services,
        request: Request[User, Any, Any],
        customer_id: uuid.UUID | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
        site_id: uuid.UUID | None = None,
        sku: QueryText = None,
        vendor: QueryText = None,
        end_from: date | None = None,
        end_to: date | None = None,
        status: ContractStatus | None = None,
    ) -> Page[Contract]:
        """A customer user gets its own contracts whatever `customer_id` says. Filters: site, SKU, the
        product's vendor, end date range, status (as the calendar gives it today)."""
        given = {"site_id": site_id, "sku": sku, "vendor": vendor, "end_from": end_from, "end_to": end_to,
                 "status": status}  # fmt: skip
        if not any(v is not None for v in given.values()):
            return await views.contracts(services, request.user, customer_id, limit, offset)
        try:
            selection = ContractSelectionIn(customer_id=customer_id, **given)
        except ValidationError as exc:
            raise ValidationException(f"a filter is not valid: {exc.errors()[0]['msg']}") from exc
        return await contracts_bulk.search(services, request.user, selection, limit, offset)

    @get("/contracts/{contract_id:uuid}", responses=problems(*READ_ONE))
    async def contract(
        self, services: Services, request: Request[User, Any, Any], contract_id: uuid.UUID
    ) -> Contract:
        return await views.contract(services, request.user, contract_id)

    @get("/contracts/{contract_id:uuid}/schedule", responses=problems(*READ_ONE))
    async def schedule(
        self, services: Services, request: Request[User, Any, Any], contract_id: uuid.UUID
    ) -> list[SchedulePeriod]:
        """The billing periods of a contract and which invoice billed each."""
        return await views.schedule(services, request.user, contract_id)

    @get("/invoices", responses=problems(*READ))
    async def invoices(
        self,
        services: Services,
        request: Request[User, Any, Any],
        customer_id: uuid.UUID | None = None,
        contract_id: uuid.UUID | None = None,
        kind: InvoiceKind | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[Invoice]:
        """A customer user gets its own invoices whatever `customer_id` says; `kind` narrows to invoices,
        credit notes or renewal quotes."""
        return await views.invoices(services, request.user, customer_id, contract_id, limit, offset, kind)

    @get("/invoices/{invoice_id:uuid}", responses=problems(*READ_ONE))
    async def invoice(
        self, services: Services, request: Request[User, Any, Any], invoice_id: uuid.UUID
    ) -> Invoice:
        return await views.invoice(services, request.user, invoice_id)

    @get(
        "/invoices/{invoice_id:uuid}/pdf",
        media_type="application/pdf",
        responses=problems(*READ_ONE),
        response_description="The invoice as a PDF document",
    )
    async def invoice_pdf(
        self, services: Services, request: Request[User, Any, Any], invoice_id: uuid.UUID
    ) -> Response[bytes]:
        number, pdf = await views.invoice_pdf(services, request.user, invoice_id)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'},
        )
