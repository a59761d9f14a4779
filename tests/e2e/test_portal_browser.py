"""The portal in a real browser (Debian's Chromium driven by Playwright): a customer's journey from
sign-in (a CSRF-protected form) to sign-out, with no Content-Security-Policy violation on the way."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import Browser

from avtal_testing.api import eventually, make_customer_with_contract, ok, unique
from avtal_testing.stack import StackInfo


def test_a_customer_signs_in_sees_its_contract_and_downloads_the_invoice_pdf(
    stack: StackInfo, staff: httpx.Client, browser: Browser
) -> None:
    made = make_customer_with_contract(staff, price="2400.00", interval=12)
    contract = made["contract"]
    eventually(
        lambda: staff.get(f"/api/v1/contracts/{contract['contract_id']}/schedule").status_code == 200,
        what="billing to know the contract",
    )
    ok(staff.post("/api/v1/billing-runs", json={"as_of": "2026-02-01", "run_key": unique("run")}))
    invoice = eventually(
        lambda: [
            i
            for i in ok(staff.get("/api/v1/invoices", params={"contract_id": contract["contract_id"]}))[
                "items"
            ]
            if i["pdf_ready"]
        ],
        what="the invoice PDF",
    )[0]
    email, password = f"{unique('browser')}@example.com", "correct horse battery"
    ok(
        staff.post(
            "/api/v1/users",
            json={
                "email": email,
                "password": password,
                "role": "customer",
                "customer_id": made["customer"]["customer_id"],
            },
        )
    )

    page = browser.new_page(accept_downloads=True)
    # The CSP forbids inline script and style: a violation shows up as a console error naming it.
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{stack.portal_url}/")
    assert page.url.endswith("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    assert page.get_by_role("alert").inner_text() == "Wrong e-mail or password."
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{stack.portal_url}/")
    assert page.get_by_role("heading", name="My contracts and invoices").is_visible()
    # The stylesheet (a file under /static/, allowed by the CSP) really applies.
    assert page.eval_on_selector("header", "e => getComputedStyle(e).display") == "flex"
    page.click(f"text={contract['contract_no']}")
    page.wait_for_url(f"**/contracts/{contract['contract_id']}")
    assert made["item"]["serial_no"] in page.locator("#items").inner_text()
    with page.expect_download() as download_info:
        page.click(f"#invoices a[href='/invoices/{invoice['invoice_id']}/pdf']")
    download = download_info.value
    assert download.suggested_filename == f"{invoice['invoice_no']}.pdf"
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/invoice.pdf"
        download.save_as(path)
        assert Path(path).read_bytes()[:5] == b"%PDF-"
    page.click("text=Sign out")
    page.wait_for_url("**/login?error=signed_out")
    assert page.get_by_role("alert").inner_text() == "You are signed out."
    page.goto(f"{stack.portal_url}/")
    assert page.url.endswith("/login")
    assert violations == []
    page.close()
