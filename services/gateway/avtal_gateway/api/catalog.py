"""Public catalog API under /api/v1: product search for everyone signed in, the rest for staff."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from litestar import Controller, Request, get, post

from avtal_common.api import catalog
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.api.responses import Product
from avtal_common.api.text import QueryText
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.api.catalog_portal import CatalogPortalController
from avtal_gateway.api.problems import COMMAND, READ, READ_ONE, STAFF_READ, problems
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import catalog as handlers
from avtal_gateway.handlers.views import parse

AnyUser = Request[User, Any, Any]


class CatalogReadController(Controller):
    """What staff and customers may both read: products (customers see active ones) and service levels,
    and the staff-only write that shares a path."""

    path = "/api/v1"
    tags = ["catalog"]

    @get("/products/search", responses=problems(*READ))
    async def search(
        self,
        services: Services,
        request: AnyUser,
        q: QueryText = None,
        manufacturer: QueryText = None,
        model: QueryText = None,
        category: QueryText = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> Page[Product]:
        """Full text and typo tolerant ("poweredge r47" finds "Dell PowerEdge R740"), with filters."""
        filters = {"q": q, "manufacturer": manufacturer, "model": model, "category": category}
        return await handlers.search(services, request.user, limit, offset, **filters)

    @get("/products/{product_id:uuid}", responses=problems(*READ_ONE))
    async def product(self, services: Services, request: AnyUser, product_id: uuid.UUID) -> Product:
        return await handlers.product(services, request.user, product_id)

    @get("/maintenance-levels", responses=problems(*READ))
    async def levels(self, services: Services) -> list[catalog.MaintenanceLevel]:
        return await handlers.levels(services)

    @post("/maintenance-levels", guards=[staff_only], responses=problems(*COMMAND))
    async def add_level(
        self, services: Services, data: catalog.MaintenanceLevelIn
    ) -> catalog.MaintenanceLevel:
        raw = await services.json(
            "catalog", "POST", "/maintenance-levels/", json=data.model_dump(mode="json")
        )
        made: catalog.MaintenanceLevel = parse("catalog", catalog.MaintenanceLevel, raw)
        return made


class CatalogStaffController(Controller):
    """Price lists, retirement and the price update tool: staff only."""

    path = "/api/v1"
    guards = [staff_only]
    tags = ["catalog (staff)"]

    @post("/products/{product_id:uuid}/retire", status_code=200, responses=problems(*COMMAND))
    async def retire(self, services: Services, product_id: uuid.UUID) -> Product:
        """No new contracts may use it; running contracts keep it."""
        return await handlers.retire(services, product_id)

    @get("/products/{product_id:uuid}/prices", responses=problems(*STAFF_READ, 404))
    async def prices(self, services: Services, product_id: uuid.UUID) -> list[catalog.PriceEntry]:
        """Price history per vendor and distributor list, newest first."""
        return await handlers.prices(services, product_id)

    @post("/products/{product_id:uuid}/prices", responses=problems(*COMMAND))
    async def add_price(
        self, services: Services, request: AnyUser, product_id: uuid.UUID, data: catalog.PriceEntryIn
    ) -> catalog.PriceEntry:
        """409 names the entry whose dates overlap."""
        return await handlers.add_price(services, request.user, product_id, data)

    @get("/parties", responses=problems(*STAFF_READ))
    async def parties(
        self, services: Services, kind: Literal["vendor", "distributor"] | None = None
    ) -> list[catalog.Party]:
        """Vendors and distributors (each has its own price list)."""
        return await handlers.parties(services, kind)

    @post("/parties", responses=problems(*COMMAND))
    async def add_party(self, services: Services, data: catalog.PartyIn) -> catalog.Party:
        raw = await services.json("catalog", "POST", "/parties/", json=data.model_dump(mode="json"))
        made: catalog.Party = parse("catalog", catalog.Party, raw)
        return made

    @post("/price-jobs", responses=problems(*COMMAND))
    async def preview(
        self, services: Services, request: AnyUser, data: catalog.PriceJobIn
    ) -> catalog.PriceJob:
        """Preview: the job's rows (old → new) and revenue impact are kept; no price changes yet."""
        return await handlers.preview(services, request.user, data)

    @get("/price-jobs", responses=problems(*STAFF_READ))
    async def jobs(
        self, services: Services, limit: Limit = 100, offset: Offset = 0
    ) -> Page[catalog.PriceJob]:
        return await handlers.jobs(services, limit, offset)

    @get("/price-jobs/{job_id:uuid}", responses=problems(*STAFF_READ, 404))
    async def job(self, services: Services, job_id: uuid.UUID) -> catalog.PriceJob:
        return await handlers.job(services, job_id)

    @get("/price-jobs/{job_id:uuid}/rows", responses=problems(*STAFF_READ, 404))
    async def rows(
        self, services: Services, job_id: uuid.UUID, limit: Limit = 100, offset: Offset = 0
    ) -> Page[catalog.PriceJobRow]:
        return await handlers.job_rows(services, job_id, limit, offset)

    @post("/price-jobs/{job_id:uuid}/apply", status_code=200, responses=problems(*COMMAND))
    async def apply(self, services: Services, request: AnyUser, job_id: uuid.UUID) -> catalog.PriceJob:
        """Writes exactly the previewed rows, atomically; 409 if prices changed since the preview."""
        return await handlers.decide(services, request.user, job_id, "apply")

    @post("/price-jobs/{job_id:uuid}/revert", status_code=200, responses=problems(*COMMAND))
    async def revert(self, services: Services, request: AnyUser, job_id: uuid.UUID) -> catalog.PriceJob:
        """Every old price back; 409 if a later job built on this one's prices."""
        return await handlers.decide(services, request.user, job_id, "revert")


CATALOG_ROUTES = [CatalogReadController, CatalogStaffController, CatalogPortalController]
