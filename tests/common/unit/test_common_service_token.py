"""Internal service APIs answer only callers with the service token; health and metrics stay open."""

from __future__ import annotations

import pytest
from litestar import Litestar, WebSocket, get, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient

from avtal_common.http import (
    MetricsController,
    ServiceTokenMiddleware,
    health_controller,
    problem_details_plugin,
)
from avtal_common.runtime import ServiceSpec, build_app, serve
from avtal_common.settings import CommonSettings, ServiceSettings

TOKEN = "s3cret-service-token-for-tests"


@get("/invoices/")
async def invoices() -> list[str]:
    return ["every customer's invoice"]


@websocket("/live")
async def live(socket: WebSocket) -> None:
    await socket.accept()
    await socket.send_text("every customer's invoice")
    await socket.close()


def _client() -> TestClient[Litestar]:
    app = Litestar(
        [invoices, live, MetricsController, health_controller(lambda: {"database": True})],
        middleware=[ServiceTokenMiddleware(TOKEN)],
        plugins=[problem_details_plugin()],
    )
    return TestClient(app)


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "send the shared service token"),
        ({"Authorization": "Bearer wrong-token-of-same-size"}, "is not this deployment's"),
        ({"Authorization": f"Basic {TOKEN}"}, "is not this deployment's"),
        ({"Authorization": f"Bearer {TOKEN}x"}, "is not this deployment's"),
    ],
)
def test_a_request_without_the_right_token_is_401_problem_details(
    headers: dict[str, str], detail: str
) -> None:
    with _client() as client:
        r = client.get("/invoices/", headers=headers)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert detail in r.json()["detail"]
    assert "every customer" not in r.text


def test_the_right_token_reaches_the_route() -> None:
    with _client() as client:
        r = client.get("/invoices/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.json() == ["every customer's invoice"]


@pytest.mark.parametrize("path", ["/health/live", "/health/ready", "/metrics"])
def test_health_and_metrics_need_no_token(path: str) -> None:
    with _client() as client:
        assert client.get(path).status_code == 200


def test_the_schema_of_an_internal_service_needs_the_token() -> None:
    with _client() as client:
        assert client.get("/schema/openapi.json").status_code == 401
        ok = client.get("/schema/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and "/invoices" in ok.json()["paths"]


def test_a_process_without_a_service_token_refuses_to_start_and_says_how_to_set_one() -> None:
    spec = ServiceSpec(name="catalog", package="avtal_catalog")
    with pytest.raises(SystemExit, match="AVTAL_SERVICE_TOKEN is not set"):
        build_app(spec, CommonSettings(service_token=None), ServiceSettings())


def test_the_service_token_must_be_long_enough_to_be_a_secret() -> None:
    with pytest.raises(
        ValueError, match="AVTAL_SERVICE_TOKEN must be a random value of at least 16 characters"
    ):
        CommonSettings(service_token="short")


def test_a_websocket_without_the_token_is_closed_before_it_opens() -> None:
    with _client() as client, pytest.raises(WebSocketDisconnect), client.websocket_connect("/live") as ws:
        ws.receive_text()
    with (
        _client() as client,
        client.websocket_connect("/live", headers={"Authorization": f"Bearer {TOKEN}"}) as ws,
    ):
        assert ws.receive_text() == "every customer's invoice"


def test_each_process_binds_by_its_own_host_setting_defaulting_to_loopback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from avtal_catalog.settings import CatalogSettings
    from avtal_gateway.settings import GatewaySettings

    monkeypatch.setenv("AVTAL_GATEWAY_HTTP_HOST", "0.0.0.0")
    monkeypatch.setenv("AVTAL_GATEWAY_SESSION_SECRET", "0" * 32)
    assert GatewaySettings().http_host == "0.0.0.0"
    assert CatalogSettings().http_host == "127.0.0.1"


def test_the_old_shared_host_setting_is_refused_naming_its_replacement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AVTAL_HTTP_HOST", "0.0.0.0")
    with pytest.raises(SystemExit, match="set AVTAL_CATALOG_HTTP_HOST"):
        serve(ServiceSpec(name="catalog", package="avtal_catalog"), ServiceSettings)
