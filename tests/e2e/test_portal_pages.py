"""The portal home pages through long lists, and /schema documents the API from files the gateway serves."""

from __future__ import annotations

import re

import httpx

from avtal_testing.api import make_customer_with_contract, ok, signed_in, unique
from avtal_testing.stack import StackInfo

PAGE = 25  # avtal_gateway.api.portal.PORTAL_PAGE


def _more_contracts(staff: httpx.Client, customer_id: str, sku: str, n: int) -> None:
    for _ in range(n):
        line = {"sku": sku, "manufacturer_no": unique("M"), "model": "X", "serial_no": unique("SN")}
        body = {
            "customer_id": customer_id,
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "lines": [line],
        }
        ok(staff.post("/api/v1/contracts", json=body))


def _contract_links(html: str) -> list[str]:
    return re.findall(r'href="/contracts/([0-9a-f-]{36})"', html)


def test_the_home_page_shows_a_customers_contracts_a_page_at_a_time_with_the_total(
    stack: StackInfo, staff: httpx.Client
) -> None:
    made = make_customer_with_contract(staff)
    customer_id = made["customer"]["customer_id"]
    _more_contracts(staff, customer_id, made["product"]["sku"], PAGE)  # PAGE + 1 in all
    email = f"{unique('pages')}@example.com"
    user = {
        "email": email,
        "password": "correct horse battery",
        "role": "customer",
        "customer_id": customer_id,
    }
    ok(staff.post("/api/v1/users", json=user))
    with signed_in(stack.portal_url, email, "correct horse battery") as me:
        first = me.get("/").text
        assert f"1–{PAGE} of {PAGE + 1}" in first
        assert 'rel="next" href="?invoices_offset=0&amp;contracts_offset=25"' in first
        second = me.get("/", params={"contracts_offset": PAGE, "invoices_offset": 0}).text
        assert f"{PAGE + 1}–{PAGE + 1} of {PAGE + 1}" in second and 'rel="prev"' in second
        listed = ok(me.get("/api/v1/contracts", params={"limit": 1000}))
    assert len(_contract_links(first)) == PAGE and len(_contract_links(second)) == 1
    assert set(_contract_links(first)) | set(_contract_links(second)) == {
        c["contract_id"] for c in listed["items"]
    }
    assert listed["total"] == PAGE + 1


def test_the_api_pages_a_list_with_limit_and_offset(staff: httpx.Client) -> None:
    first = ok(staff.get("/api/v1/products", params={"limit": 1}))
    second = ok(staff.get("/api/v1/products", params={"limit": 1, "offset": 1}))
    assert first["total"] >= 2 and first["limit"] == 1 and first["offset"] == 0
    assert len(first["items"]) == 1 and first["items"] != second["items"]
    refused = staff.get("/api/v1/products", params={"limit": 1001})
    assert refused.status_code == 400 and refused.headers["content-type"].startswith(
        "application/problem+json"
    )


def test_the_docs_page_loads_swagger_ui_from_the_gateway_itself(stack: StackInfo) -> None:
    with httpx.Client(base_url=stack.portal_url, timeout=30) as anonymous:
        page = anonymous.get("/schema")
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
        assert "<script>" not in page.text, "the CSP forbids inline scripts"
        assert assets and all(a.startswith("/schema/ui/") for a in assets), assets
        for asset in assets:
            assert anonymous.get(asset).status_code == 200, asset
        assert anonymous.get("/schema/openapi.json").json()["components"]["schemas"]["Page_Contract_"]
