"""The staff dashboard: its JSON in the public API, the page, the version stream that keeps an open page
current, and each widget as CSV. Every route is staff only."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import Provide
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import Parameter
from litestar.response import ServerSentEvent, Template
from pydantic import ValidationError

from avtal_common.api.dashboard import Dashboard, DashboardVersion
from avtal_common.api.responses import Customer, Product
from avtal_common.api.text import QueryText
from avtal_gateway.adapters.services import Services
from avtal_gateway.adapters.shutdown import Shutdown
from avtal_gateway.api.auth import staff_only
from avtal_gateway.api.problems import STAFF_READ, problems
from avtal_gateway.domain.dashboard import RETENTION, TABLES, WIDGETS, DashboardFilters, href, shown
from avtal_gateway.domain.dashboard_csv import rows_of
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import dashboard, views

CurrencyParam = Parameter(
    pattern=r"^[A-Z]{3}$", required=False, description="ISO 4217 code; default: the first currency known"
)
AsOfParam = Parameter(required=False, description="default: today")
MonthsParam = Parameter(ge=1, le=36, default=12, description="months of history in the series")
FormText = Parameter(max_length=200, required=False)  # a page form sends its empty fields as ""


def _filters(**given: Any) -> DashboardFilters:
    try:
        return DashboardFilters(**{k: v for k, v in given.items() if v not in (None, "")})
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ValidationException(f"{'.'.join(map(str, error['loc']))}: {error['msg']}") from exc


def api_filters(
    currency: str | None = CurrencyParam,
    as_of: date | None = AsOfParam,
    months: int = MonthsParam,
    customer_id: uuid.UUID | None = None,
    product_id: uuid.UUID | None = None,
    vendor: QueryText = None,
) -> DashboardFilters:
    """The public API's filters, typed in its document. Product and vendor narrow MRR, the bridge,
    renewals and top customers; a customer narrows everything."""
    return _filters(
        currency=currency, as_of=as_of, months=months, customer_id=customer_id, product_id=product_id,
        vendor=vendor,
    )  # fmt: skip


def form_filters(
    currency: str | None = FormText,
    as_of: str | None = FormText,
    months: str | None = FormText,
    customer_id: str | None = FormText,
    product_id: str | None = FormText,
    vendor: str | None = FormText,
) -> DashboardFilters:
    """The page's GET form (works without JavaScript): an empty field means "not filtered"."""
    return _filters(
        currency=currency, as_of=as_of, months=months, customer_id=customer_id, product_id=product_id,
        vendor=vendor,
    )  # fmt: skip


def page_context(
    user: User,
    d: Dashboard,
    status: DashboardVersion | None,
    filters: DashboardFilters,
    customers: list[Customer],
    products: list[Product],
) -> dict[str, Any]:
    """What dashboard.html renders (the filter form's choices, the tables' columns and formatting)."""
    return {
        "user": user,
        "d": d,
        "status": status,
        "filters": filters,
        "query": filters.query(),
        "customers": customers,
        "products": products,
        "tables": TABLES,
        "retention": RETENTION,
        "shown": shown,
        "href": href,
        "rows_of": rows_of,
    }


class DashboardApiController(Controller):
    path = "/api/v1"
    guards = [staff_only]
    tags = ["reporting"]

    @get(
        "/dashboard",
        dependencies={"filters": Provide(api_filters, sync_to_thread=False)},
        responses=problems(*STAFF_READ, 404),
    )
    async def dashboard(self, services: Services, filters: DashboardFilters) -> Dashboard:
        """Every dashboard figure in one currency (definitions M2–M15 in docs/reporting-figures.md)."""
        return await dashboard.dashboard(services, filters)

    @get("/dashboard/version", responses=problems(*STAFF_READ))
    async def version(self, services: Services) -> DashboardVersion:
        """The read models' version (grows with every applied event), their lag and whether they rebuild."""
        return await dashboard.version(services)


class DashboardPortalController(Controller):
    include_in_schema = False
    guards = [staff_only]
    dependencies = {"filters": Provide(form_filters, sync_to_thread=False)}

    @get("/dashboard")
    async def page(
        self, services: Services, request: Request[User, Any, Any], filters: DashboardFilters
    ) -> Template:
        context = page_context(
            request.user,
            await dashboard.dashboard(services, filters),
            await dashboard.version_or_none(services),
            filters,
            (await views.customers(services, limit=500)).items,
            (await views.products(services, limit=500)).items,
        )
        return Template("dashboard.html", context=context)

    @get("/dashboard/stream")
    async def stream(self, services: Services, shutdown: Shutdown) -> ServerSentEvent:
        """`version` events for an open page (see handlers.dashboard.version_events)."""
        events = dashboard.version_events(lambda: dashboard.version_or_none(services), shutdown.is_set)
        return ServerSentEvent(events, headers={"Cache-Control": "no-store"})

    @get("/dashboard/export/{file_name:str}", media_type="text/csv")
    async def export(
        self, services: Services, filters: DashboardFilters, file_name: str = Parameter(max_length=40)
    ) -> Response[str]:
        widget = file_name.removesuffix(".csv")
        if widget not in WIDGETS or not file_name.endswith(".csv"):
            raise NotFoundException(f"no such export: the widgets are {', '.join(WIDGETS)} (name.csv)")
        name, text = await dashboard.export(services, filters, widget)
        return Response(
            text,
            media_type="text/csv",  # Litestar adds "; charset=utf-8" to a text type
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
