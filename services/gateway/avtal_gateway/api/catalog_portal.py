"""Portal screens of the catalog: product search and detail, the price update tool (staff)."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from pydantic import BaseModel, BeforeValidator, Field

from avtal_common.api import catalog
from avtal_common.api.text import OneLine, QueryText
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import catalog as handlers

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
PAGE = 25
AnyUser = Request[User, Any, Any]


def _none_if_blank(v: Any) -> Any:
    return None if isinstance(v, str) and not v.strip() else v


Blankable = Annotated[OneLine | None, BeforeValidator(_none_if_blank), Field(default=None, max_length=100)]


class PriceJobForm(BaseModel):
    """The price tool's form: blank fields do not narrow the selection; SKUs separated by , ; or spaces."""

    vendor: Blankable = None
    distributor: Blankable = None
    category: Blankable = None
    manufacturer: Blankable = None
    skus: str = Field(default="", max_length=100_000)
    change: Literal["percent", "amount", "fixed", "index"]
    value: str = Field(max_length=32)
    rounding: Literal["0.01", "0.05", "1", "0.99"] = "0.01"
    effective_from: date

    def command(self) -> catalog.PriceJobIn:
        skus = [s for s in re.split(r"[\s,;]+", self.skus) if s]
        selection = catalog.SelectionIn(
            vendor=self.vendor, distributor=self.distributor, category=self.category,
            manufacturer=self.manufacturer, skus=skus,
        )  # fmt: skip
        rule = catalog.RuleIn(change=self.change, value=self.value, rounding=self.rounding)  # type: ignore[arg-type]  # pydantic parses the Decimal
        return catalog.PriceJobIn(selection=selection, rule=rule, effective_from=self.effective_from)


class CatalogPortalController(Controller):
    path = "/catalog"
    include_in_schema = False

    @get("/products")
    async def products(
        self,
        services: Services,
        request: AnyUser,
        q: QueryText = None,
        manufacturer: QueryText = None,
        model: QueryText = None,
        category: QueryText = None,
        offset: int = Parameter(ge=0, default=0),
    ) -> Template:
        """Search for staff and customers (customers see active products only)."""
        filters = {"q": q, "manufacturer": manufacturer, "model": model, "category": category}
        filters = {k: v for k, v in filters.items() if v}
        found = await handlers.search(services, request.user, PAGE, offset, **filters)
        context = {"user": request.user, "products": found, "filters": filters}
        return Template("catalog_products.html", context=context)

    @get("/products/{product_id:uuid}")
    async def product(self, services: Services, request: AnyUser, product_id: uuid.UUID) -> Template:
        """Staff also see the price history per vendor and distributor."""
        p = await handlers.product(services, request.user, product_id)
        history = await handlers.prices(services, product_id) if request.user.is_staff else []
        lists: dict[str, list[catalog.PriceEntry]] = {}
        for entry in history:
            lists.setdefault(f"{entry.party_name} ({entry.party_kind})", []).append(entry)
        levels = {lv.code: lv for lv in await handlers.levels(services)}
        context = {
            "user": request.user,
            "p": p,
            "lists": lists,
            "level": levels.get(p.maintenance_level or ""),
        }
        return Template("catalog_product.html", context=context)

    @post("/products/{product_id:uuid}/retire", guards=[staff_only])
    async def retire(self, services: Services, product_id: uuid.UUID) -> Redirect:
        await handlers.retire(services, product_id)
        return Redirect(f"/catalog/products/{product_id}")

    @get("/price-jobs", guards=[staff_only])
    async def jobs(
        self, services: Services, request: AnyUser, offset: int = Parameter(ge=0, default=0)
    ) -> Template:
        """Select → preview: the form, and every job so far."""
        context = {
            "user": request.user,
            "jobs": await handlers.jobs(services, PAGE, offset),
            "parties": await handlers.parties(services),
            "today": date.today().isoformat(),
        }
        return Template("catalog_price_jobs.html", context=context)

    @post("/price-jobs", guards=[staff_only])
    async def preview(
        self, services: Services, request: AnyUser, data: Annotated[PriceJobForm, Form]
    ) -> Redirect:
        made = await handlers.preview(services, request.user, data.command())
        return Redirect(f"/catalog/price-jobs/{made.job_id}")

    @get("/price-jobs/{job_id:uuid}", guards=[staff_only])
    async def job(
        self,
        services: Services,
        request: AnyUser,
        job_id: uuid.UUID,
        offset: int = Parameter(ge=0, default=0),
    ) -> Template:
        """Preview → apply → job status → revert."""
        context = {
            "user": request.user,
            "job": await handlers.job(services, job_id),
            "rows": await handlers.job_rows(services, job_id, PAGE, offset),
        }
        return Template("catalog_price_job.html", context=context)

    @post("/price-jobs/{job_id:uuid}/apply", guards=[staff_only])
    async def apply(self, services: Services, request: AnyUser, job_id: uuid.UUID) -> Redirect:
        await handlers.decide(services, request.user, job_id, "apply")
        return Redirect(f"/catalog/price-jobs/{job_id}")

    @post("/price-jobs/{job_id:uuid}/revert", guards=[staff_only])
    async def revert(self, services: Services, request: AnyUser, job_id: uuid.UUID) -> Redirect:
        await handlers.decide(services, request.user, job_id, "revert")
        return Redirect(f"/catalog/price-jobs/{job_id}")
