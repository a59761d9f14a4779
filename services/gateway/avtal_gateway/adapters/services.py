"""HTTP client of the services' internal APIs; their errors come back as problem details."""

from __future__ import annotations

from typing import Any

import httpx
from litestar.plugins.problem_details import ProblemDetailsException
from pydantic import SecretStr

from avtal_common.logging import ACTOR_HEADER, CORRELATION_HEADER, current_actor, current_correlation_id

SERVICES = ("catalog", "contracts", "billing", "notifier", "reporting")


class Services:
    def __init__(self, urls: dict[str, str], service_token: SecretStr | None) -> None:
        if service_token is None:
            raise ValueError("the gateway needs AVTAL_SERVICE_TOKEN to call the internal services")
        # Every internal route but health and metrics requires it.
        auth = {"Authorization": f"Bearer {service_token.get_secret_value()}"}
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._clients = {
            name: httpx.AsyncClient(base_url=url, timeout=30, limits=limits, headers=auth)
            for name, url in urls.items()
        }

    async def request(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        headers = {
            CORRELATION_HEADER: current_correlation_id() or "",
            ACTOR_HEADER: current_actor() or "gateway",
        }
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        params = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            r = await self._clients[service].request(
                method, path, json=json, params=params, headers=headers, content=content
            )
        except httpx.HTTPError as exc:
            raise ProblemDetailsException(
                status_code=503,
                title=f"The {service} service is unavailable",
                detail=f"{type(exc).__name__}: try again shortly",
            ) from exc
        if r.status_code >= 400:
            raise _problem(service, r)
        return r

    async def json(self, service: str, method: str, path: str, **kw: Any) -> Any:
        return (await self.request(service, method, path, **kw)).json()

    async def ready(self) -> dict[str, bool]:
        out = {}
        for name, client in self._clients.items():
            try:
                out[name] = (await client.get("/health/ready", timeout=2)).status_code == 200
            except httpx.HTTPError:
                out[name] = False
        return out

    async def close(self) -> None:
        for c in self._clients.values():
            await c.aclose()


def _problem(service: str, r: httpx.Response) -> ProblemDetailsException:
    try:
        body = r.json()
    except ValueError:
        body = {}
    if r.status_code >= 500:
        return ProblemDetailsException(
            status_code=502,
            title=f"The {service} service failed",
            detail="the error was logged; try again or contact support",
        )
    return ProblemDetailsException(
        status_code=r.status_code,
        title=body.get("title", "Request refused"),
        detail=body.get("detail", ""),
        extra=body.get("extra") or None,  # the service's field errors, as the gateway's own
    )
