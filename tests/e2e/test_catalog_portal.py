"""The catalog's portal screens: search, product detail with price history, select → preview → apply →
job status → revert through the forms (CSRF token as a browser's form would send it)."""

from __future__ import annotations

import re
from datetime import date

import httpx

from avtal_testing.api import ok, signed_in, unique
from avtal_testing.stack import StackInfo


def _form(client: httpx.Client, url: str, data: dict[str, str]) -> httpx.Response:
    """A browser form post: the CSRF token as the hidden field, not the JSON clients' header."""
    token = client.cookies["avtal_csrf"]
    headers = {"X-CSRF-Token": ""}  # what a form cannot send
    return client.post(url, data={**data, "_csrf_token": token}, headers=headers, follow_redirects=True)


def test_staff_search_preview_apply_and_revert_prices_through_the_portal(
    stack: StackInfo, staff: httpx.Client
) -> None:
    category, vendor = unique("portal"), unique("PV").upper()
    ok(staff.post("/api/v1/parties", json={"kind": "vendor", "code": vendor, "name": "Portal vendor"}))
    body = {"sku": unique("PRT"), "name": "Fujitsu Primergy RX2540 care", "annual_price": "700.00",
            "manufacturer": "Fujitsu", "models": ["RX2540"], "category": category}  # fmt: skip
    product = ok(staff.post("/api/v1/products", json=body))
    entry = {"party_code": vendor, "list_price": "700.00", "effective_from": "2025-01-01"}
    ok(staff.post(f"/api/v1/products/{product['product_id']}/prices", json=entry))

    found = staff.get("/catalog/products", params={"q": "primergy rx25", "category": category}).text
    detail = staff.get(f"/catalog/products/{product['product_id']}").text
    form = {"vendor": vendor, "category": category, "change": "percent", "value": "10", "rounding": "1",
            "effective_from": date.today().isoformat()}  # fmt: skip
    preview = _form(staff, "/catalog/price-jobs", form)
    job_url = preview.url.path
    applied = _form(staff, f"{job_url}/apply", {})
    after = staff.get(f"/catalog/products/{product['product_id']}").text
    reverted = _form(staff, f"{job_url}/revert", {})

    assert product["sku"] in found and "Fujitsu Primergy RX2540 care" in found
    assert "Portal vendor (vendor)" in detail and "700.00 SEK" in detail
    assert re.fullmatch(r"/catalog/price-jobs/[0-9a-f-]{36}", job_url), job_url
    assert "previewed" in preview.text and "700.00 SEK" in preview.text and "770.00 SEK" in preview.text
    assert "applied" in applied.text and "Revert the whole job" in applied.text
    assert "770.00 SEK" in after
    assert (
        "reverted" in reverted.text
        and "770.00 SEK" not in staff.get(f"/catalog/products/{product['product_id']}").text
    )


def test_a_customer_searches_products_but_never_sees_the_price_tool(stack: StackInfo) -> None:
    with signed_in(stack.portal_url, stack.customer_email, stack.customer_password) as customer:
        page = customer.get("/catalog/products", params={"q": "poweredge"})
        tool = customer.get("/catalog/price-jobs")
    assert page.status_code == 200 and "Price update tool" not in page.text
    assert tool.status_code == 403
