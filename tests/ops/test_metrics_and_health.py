"""Every process exposes Prometheus metrics and health endpoints that mean what they say."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from avtal_testing.api import make_customer_with_contract
from avtal_testing.stack import StackInfo

CONSUMERS = ("contracts", "billing", "notifier", "reporting")


def _families(url: str) -> dict[str, list]:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return {f.name: f.samples for f in text_string_to_metric_families(text)}


@pytest.mark.parametrize("service", ["catalog", "contracts", "billing", "notifier", "reporting", "gateway"])
def test_every_process_serves_parseable_metrics_and_health(stack: StackInfo, service: str) -> None:
    url = stack.portal_url if service == "gateway" else stack.services[service]
    assert httpx.get(f"{url}/health/live").json() == {"status": "live"}
    ready = httpx.get(f"{url}/health/ready").json()
    assert ready["status"] == "ready" and all(ready["checks"].values())
    auth = {} if service == "gateway" else stack.internal_headers
    assert httpx.get(f"{url}/schema/openapi.json", headers=auth).status_code == 200
    families = _families(url)
    for name in (
        "avtal_outbox_backlog_events",
        "avtal_outbox_oldest_age_seconds",
        "avtal_ready",
        "avtal_http_requests",
    ):
        assert name in families, f"{service} lacks {name}"
    if service in CONSUMERS:
        assert "avtal_consumer_lag_messages" in families
        assert any(n.startswith("faststream_") for n in families), "FastStream middleware metrics"


def test_http_metrics_label_route_templates_not_ids(stack: StackInfo, staff: httpx.Client) -> None:
    made = make_customer_with_contract(staff)
    contract_id = made["contract"]["contract_id"]
    with stack.internal("contracts") as contracts:
        assert contracts.get(f"/contracts/{contract_id}").status_code == 200
    paths = {s.labels.get("path") for s in _families(stack.services["contracts"])["avtal_http_requests"]}
    assert "/contracts/{contract_id}" in paths
    assert not any(contract_id in (p or "") for p in paths)


def test_the_gateway_reports_each_service_in_its_readiness(stack: StackInfo) -> None:
    checks = httpx.get(f"{stack.portal_url}/health/ready").json()["checks"]
    assert {"catalog", "contracts", "billing", "notifier", "reporting", "database", "broker"} <= set(checks)
