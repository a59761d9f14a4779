"""Reporting internal HTTP API: the dashboard's figures and the version an open dashboard watches."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from litestar import Controller, get
from litestar.exceptions import ValidationException
from litestar.params import Parameter

from avtal_common import metrics
from avtal_common.api.dashboard import Dashboard, DashboardVersion
from avtal_common.api.text import QueryText
from avtal_reporting.handlers.dashboard import Assumptions, dashboard
from avtal_reporting.settings import ReportingSettings
from avtal_reporting.store.dashboard import Filters
from avtal_reporting.store.uow import ReportingUnitOfWork

GROUP = "reporting"


class DashboardController(Controller):
    path = "/dashboard"

    @get("/")
    async def figures(
        self,
        uow: ReportingUnitOfWork,
        settings: ReportingSettings,
        currency: Annotated[str | None, Parameter(pattern=r"^[A-Z]{3}$")] = None,
        as_of: date | None = None,
        months: Annotated[int, Parameter(ge=1, le=36)] = 12,
        customer_id: uuid.UUID | None = None,
        product_id: uuid.UUID | None = None,
        vendor: QueryText | None = None,
    ) -> Dashboard:
        """Every widget's figures for one currency (the first one known unless named) as of a day."""
        day = as_of or date.today()
        if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
            raise ValidationException(f"as_of {day} is outside 2000-01-01..2100-12-31")
        if currency is None:
            async with uow:
                known = await uow.dashboard.currencies()
            currency = known[0] if known else settings.default_currency
        f = Filters(currency, customer_id, product_id, vendor or None)
        assumptions = Assumptions(settings.doubtful_weight, settings.default_renewal_rate)
        return await dashboard(uow, f, day, months, assumptions)

    @get("/version")
    async def version(self, uow: ReportingUnitOfWork) -> DashboardVersion:
        async with uow:
            version, rebuilding = await uow.dashboard.version()
        return DashboardVersion(version=version, lag=consumer_lag(), rebuilding=rebuilding)


def consumer_lag() -> int:
    """Reporting's consumer lag summed over its partitions, as the lag collector last measured it."""
    total, seen = 0, False
    for family in metrics.CONSUMER_LAG.collect():
        for s in family.samples:
            if s.labels.get("group", "").startswith(GROUP):
                total, seen = total + int(s.value), True
    return total if seen else -1
