"""Reporting service: app factory and entry point."""

from avtal_common.runtime import ServiceSpec, serve
from avtal_reporting.api.admin import AdminController
from avtal_reporting.api.dashboard import DashboardController
from avtal_reporting.api.revenue import RevenueController
from avtal_reporting.consumers import handlers
from avtal_reporting.settings import ReportingSettings
from avtal_reporting.store.uow import ReportingUnitOfWork

SPEC = ServiceSpec(
    name="reporting",
    package="avtal_reporting",
    handlers=handlers,
    routes=[RevenueController, DashboardController, AdminController],
    unit_of_work=ReportingUnitOfWork,
)


def main() -> None:
    serve(SPEC, ReportingSettings)
