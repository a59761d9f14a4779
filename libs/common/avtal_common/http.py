"""Litestar pieces every process shares: health, metrics, correlation ids, RFC 9457 problem details,
the service token of the internal APIs."""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.exceptions import ValidationException
from litestar.middleware import ASGIMiddleware
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.types import ASGIApp, Receive, Scope, Send

from avtal_common.errors import Conflict, DomainError, NotFound
from avtal_common.logging import CORRELATION_HEADER, bind_correlation_id, current_correlation_id

ReadinessFn = Callable[[], dict[str, Any]]


def _problem(status: int, title: str) -> Callable[[Exception], ProblemDetailsException]:
    return lambda exc: ProblemDetailsException(status_code=status, title=title, detail=str(exc))


def _invalid(exc: ValidationException) -> ProblemDetailsException:
    # Litestar's own detail is "Bad Request"; name each refused field and its limit instead.
    errors = exc.extra if isinstance(exc.extra, list) else []
    messages = [_field_message(e) for e in errors if isinstance(e, dict)]
    return ProblemDetailsException(
        status_code=400,
        title="The request is invalid",
        detail="; ".join(messages) or str(exc.detail),
        extra=errors or None,
    )


def _field_message(error: dict[str, Any]) -> str:
    message = str(error.get("message", "")).removeprefix("Value error, ")
    return f"{error['key']}: {message}" if error.get("key") else message


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            enable_for_all_http_exceptions=True,
            exception_to_problem_detail_map={
                ValidationException: _invalid,
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


# Probes and scrapers carry no token; nothing behind these paths is customer data.
_OPEN_PATHS = re.compile(r"^/health/[^/]+$|^/metrics$")


class ServiceTokenMiddleware(ASGIMiddleware):
    """Every route of an internal service but health and metrics needs `Authorization: Bearer <token>`."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)  # fail closed for any future live route too
    should_bypass_for_scope = staticmethod(lambda scope: _OPEN_PATHS.match(scope["path"]) is not None)

    def __init__(self, token: str) -> None:
        self._expected = f"Bearer {token}".encode()

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        sent = Headers.from_scope(scope).get("authorization")
        if sent is None:
            raise _unauthorized(
                "send the shared service token: `Authorization: Bearer <AVTAL_SERVICE_TOKEN>`"
            )
        # compare_digest: the time taken must not reveal how much of the token was right.
        if not hmac.compare_digest(sent.encode(), self._expected):
            raise _unauthorized("the bearer token is not this deployment's AVTAL_SERVICE_TOKEN")
        await next_app(scope, receive, send)


def _unauthorized(detail: str) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=401,
        title="This internal service API needs the service token",
        detail=detail,
        headers={"WWW-Authenticate": 'Bearer realm="avtal-internal"'},
    )
