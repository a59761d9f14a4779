"""Litestar pieces every process shares: health, metrics, correlation ids, RFC 9457 problem details."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController

from avtal_common.errors import Conflict, DomainError, NotFound
from avtal_common.logging import CORRELATION_HEADER, bind_correlation_id, current_correlation_id

ReadinessFn = Callable[[], dict[str, Any]]


def _problem(status: int, title: str) -> Callable[[Exception], ProblemDetailsException]:
    return lambda exc: ProblemDetailsException(status_code=status, title=title, detail=str(exc))


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            enable_for_all_http_exceptions=True,
            exception_to_problem_detail_map={
                NotFound: _problem(404, "Not found"),
                Conflict: _problem(409, "Conflict"),
                DomainError: _problem(422, "Request refused by a business rule"),
            },
        )
    )


def prometheus_config(app_name: str) -> PrometheusConfig:
    # group_path: label by route template, never by raw path (ids would explode cardinality).
    return PrometheusConfig(
        app_name=app_name, prefix="avtal_http", group_path=True, exclude=["^/metrics$", "^/health/"]
    )


class MetricsController(PrometheusController):
    path = "/metrics"
    include_in_schema = False


def health_controller(readiness: ReadinessFn) -> type[Controller]:
    class HealthController(Controller):
        path = "/health"
        include_in_schema = False

        @get("/live")
        async def live(self) -> dict[str, str]:
            return {"status": "live"}

        @get("/ready")
        async def ready(self) -> Response[dict[str, Any]]:
            checks = readiness()
            ok = all(checks.values())
            return Response(
                {"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503
            )

    return HealthController


async def bind_request_correlation(request: Request[Any, Any, Any]) -> None:
    # async on purpose: a sync hook runs in a worker thread, and the context variable would stay there.
    bind_correlation_id(request.headers.get(CORRELATION_HEADER))


async def echo_correlation(response: Response[Any]) -> Response[Any]:
    cid = current_correlation_id()
    if cid:
        response.headers[CORRELATION_HEADER] = cid
    return response
