"""Reporting service: app factory and entry point."""

from avtal_common.runtime import ServiceSpec, serve
from avtal_reporting.api.routes import RevenueController
from avtal_reporting.consumers import handlers
from avtal_reporting.settings import ReportingSettings

SPEC = ServiceSpec(
    name="reporting",
    package="avtal_reporting",
    handlers=handlers,
    routes=[RevenueController],
)


def main() -> None:
    serve(SPEC, ReportingSettings)
