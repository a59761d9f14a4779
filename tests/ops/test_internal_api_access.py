"""Internal service APIs answer only callers with the service token, and listen on loopback only.

Routes come from each service's own OpenAPI document (read with the token), so a new route is covered
the day it is added."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pytest

from avtal_testing.stack import StackInfo

INTERNAL = ("catalog", "contracts", "billing", "notifier", "reporting")
# Served by Litestar beside the routes it documents; guarded like every other route.
SCHEMA_ROUTES = [("GET", "/schema"), ("GET", "/schema/openapi.json"), ("GET", "/schema/openapi.yaml")]
OPEN = ("/health/live", "/health/ready", "/metrics")
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def _routes(stack: StackInfo, service: str) -> list[tuple[str, str]]:
    with stack.internal(service) as client:
        document = client.get("/schema/openapi.json").raise_for_status().json()
    # Any path parameter gets a fresh id: we test who may call, not what is found.
    fill = lambda path: re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)  # noqa: E731 - a one-off
    routes = [(m.upper(), fill(p)) for p, ops in document["paths"].items() for m in ops if m in HTTP_METHODS]
    assert routes, f"{service} documents no routes"
    return routes + SCHEMA_ROUTES


@pytest.fixture(scope="module")
def routes(stack: StackInfo) -> dict[str, list[tuple[str, str]]]:
    return {service: _routes(stack, service) for service in INTERNAL}


@pytest.mark.parametrize("service", INTERNAL)
@pytest.mark.parametrize("token", [None, "wrong-token-wrong-token-wrong"], ids=["no token", "wrong token"])
def test_every_route_of_every_internal_service_refuses_a_caller_without_the_token(
    stack: StackInfo, routes: dict[str, list[tuple[str, str]]], service: str, token: str | None
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(base_url=stack.services[service], headers=headers, timeout=30) as client:
        for method, path in routes[service]:
            r = client.request(method, path)
            assert r.status_code == 401, f"{service} {method} {path}: {r.status_code} {r.text[:200]}"
            assert r.headers["content-type"] == "application/problem+json", f"{service} {method} {path}"
            assert r.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("service", INTERNAL)
def test_with_the_token_every_route_is_past_the_guard(
    stack: StackInfo, routes: dict[str, list[tuple[str, str]]], service: str
) -> None:
    # No body and unknown ids: a 400/404/405 answer is fine, it came from the route, not the guard.
    with stack.internal(service) as client:
        for method, path in routes[service]:
            r = client.request(method, path)
            assert r.status_code != 401, f"{service} {method} {path}: {r.text[:200]}"
            assert r.status_code < 500, f"{service} {method} {path}: {r.status_code} {r.text[:200]}"


@pytest.mark.parametrize("service", INTERNAL)
@pytest.mark.parametrize("path", OPEN)
def test_health_and_metrics_are_open_to_probes_and_scrapers(
    stack: StackInfo, service: str, path: str
) -> None:
    assert httpx.get(f"{stack.services[service]}{path}", timeout=10).status_code == 200


@pytest.mark.parametrize("service", [*INTERNAL, "gateway"])
def test_every_process_listens_on_loopback_only(stack: StackInfo, service: str) -> None:
    url = stack.portal_url if service == "gateway" else stack.services[service]
    port = httpx.URL(url).port
    assert port is not None
    assert _listening_addresses(port) == {"127.0.0.1"}


def _listening_addresses(port: int) -> set[str]:
    """Local addresses in LISTEN state on `port`, from the kernel's socket tables."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(_address(address))
    return found


def _address(hex_address: str) -> str:
    if len(hex_address) == 8:  # IPv4, little-endian
        return ".".join(str(int(hex_address[i : i + 2], 16)) for i in (6, 4, 2, 0))
    return "::" if set(hex_address) == {"0"} else f"ipv6:{hex_address}"
