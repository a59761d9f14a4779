"""Staff billing screens in a real browser: preview a run, run it, read its results; register a payment
whose reference matches nothing, find it in the unmatched queue, apply it to its invoice; receivables."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser

from avtal_testing.api import eventually, make_customer_with_contract, ok, unique
from avtal_testing.stack import StackInfo


def test_staff_preview_and_run_billing_then_resolve_an_unmatched_payment(
    stack: StackInfo,
    staff: httpx.Client,
    browser: Browser,
) -> None:
    made = make_customer_with_contract(
        staff, price="2000.00", start="2026-03-01", end="2027-02-28", interval=12
    )
    cid = made["contract"]["contract_id"]
    eventually(
        lambda: staff.get(f"/api/v1/contracts/{cid}/schedule").status_code == 200 or None, what="billing"
    )
    page = browser.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{stack.portal_url}/login")
    page.fill("input[name=email]", stack.staff_email)
    page.fill("input[name=password]", stack.staff_password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{stack.portal_url}/")

    page.click("header >> text=Billing")
    page.fill("input[name=as_of]", "2026-03-01")
    page.click("button:has-text('Preview')")
    page.wait_for_url("**/billing?as_of=2026-03-01")
    assert "SEK" in page.locator("table").first.inner_text()
    key = unique("browser-run")
    page.fill("input[name=run_key]", key)
    page.click("button:has-text('Run billing to 2026-03-01')")
    page.wait_for_url(f"**/billing/runs/{key}")
    assert "finished" in page.inner_text(
        "body"
    ) and "None: every due period was invoiced." in page.inner_text("body")
    [invoice] = ok(staff.get("/api/v1/invoices", params={"contract_id": cid}))["items"]

    page.click("header >> text=Payments")
    payment_id = unique("bank")
    page.fill("input[name=payment_id]", payment_id)
    page.fill("input[name=amount]", invoice["total"])
    page.fill("input[name=reference]", "1234567890")  # no invoice has this reference
    page.click("button:has-text('Register')")
    row = page.locator("tr", has_text=payment_id).first
    assert "no invoice matches" in row.inner_text()
    row.locator("input[name=invoice_no]").fill(invoice["invoice_no"])
    row.locator("button:has-text('Apply')").click()
    page.wait_for_url("**/payments")
    paid = ok(staff.get(f"/api/v1/invoices/{invoice['invoice_id']}"))
    assert paid["status"] == "paid"

    page.click("header >> text=Receivables")
    assert page.get_by_role("heading", name="Receivables").is_visible()
    assert violations == []
    page.close()
