"""Security headers on every gateway response, and a sign-in page that echoes nothing it was sent."""

from __future__ import annotations

import re

import httpx

from avtal_testing.api import eventually, ok, signed_in
from avtal_testing.stack import StackInfo

EVERYWHERE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def _secure(r: httpx.Response) -> None:
    for name, value in EVERYWHERE.items():
        assert r.headers.get(name) == value, (r.request.url, name)
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_every_kind_of_response_carries_the_security_headers(stack: StackInfo, staff: httpx.Client) -> None:
    anonymous = httpx.Client(base_url=stack.portal_url)
    for r in (
        staff.get("/api/v1/me"),
        staff.get("/"),
        anonymous.get("/login"),
        anonymous.get("/api/v1/contracts"),
        anonymous.get("/no/such/page"),
        anonymous.get("/static/portal.css"),
        staff.post("/api/v1/users", json={}),
    ):
        _secure(r)


def test_json_and_pages_are_never_cached(stack: StackInfo, staff: httpx.Client) -> None:
    for r in (staff.get("/api/v1/me"), staff.get("/api/v1/contracts"), staff.get("/")):
        assert r.headers["cache-control"] == "no-store", r.request.url


def test_invoice_pdfs_are_never_cached(stack: StackInfo) -> None:
    with signed_in(stack.portal_url, stack.customer_email, stack.customer_password) as me:
        invoice = eventually(lambda: _a_ready_invoice(me), what="a demo invoice PDF")
        for path in (f"/invoices/{invoice}/pdf", f"/api/v1/invoices/{invoice}/pdf"):
            r = me.get(path)
            assert r.status_code == 200 and r.content[:5] == b"%PDF-"
            assert r.headers["cache-control"] == "no-store"
            _secure(r)


def _a_ready_invoice(client: httpx.Client) -> str | None:
    body = ok(client.get("/api/v1/invoices"))
    items = body["items"] if isinstance(body, dict) else body
    return next((i["invoice_id"] for i in items if i["pdf_ready"]), None)


def test_pages_have_no_inline_script_or_style(stack: StackInfo, staff: httpx.Client) -> None:
    for page in (staff.get("/").text, httpx.get(f"{stack.portal_url}/login").text):
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)
        assert "<style" not in page and " style=" not in page
    assert "font:" in httpx.get(f"{stack.portal_url}/static/portal.css").text


def test_the_sign_in_page_never_reflects_the_query_string(stack: StackInfo) -> None:
    evil = "<script>alert(1)</script>"
    page = httpx.get(f"{stack.portal_url}/login", params={"error": evil})

    assert page.status_code == 200
    assert "alert(1)" not in page.text and "<script" not in page.text
    assert 'role="alert"' not in page.text
    known = httpx.get(f"{stack.portal_url}/login", params={"error": "session_ended"})
    assert "Your session has ended" in known.text
