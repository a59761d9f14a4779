"""The contract workspace in a real browser (Chromium via Playwright): staff terminate a contract through
the confirmation step that shows the preview's effect; a customer sees its contract read-only. No CSP
violation on the way."""

from __future__ import annotations

from datetime import date

import httpx
from playwright.sync_api import Browser, Page

from avtal_testing.api import ok, unique
from avtal_testing.contract_ops import START, TODAY, contract_now, reload
from avtal_testing.stack import StackInfo

PASSWORD = "correct horse battery"


def _sign_in(browser: Browser, stack: StackInfo, email: str, password: str) -> tuple[Page, list[str]]:
    page = browser.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{stack.portal_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{stack.portal_url}/")
    return page, violations


def test_staff_terminate_a_contract_through_the_workspace_confirmation(
    stack: StackInfo, staff: httpx.Client, browser: Browser
) -> None:
    c = contract_now(staff)["contract"]
    last = date(TODAY.year + 1, 6, 30)
    page, violations = _sign_in(browser, stack, stack.staff_email, stack.staff_password)
    page.goto(f"{stack.portal_url}/contracts/{c['contract_id']}")
    for tab in ("Overview", "Covered items", "Pricing", "Billing", "History"):
        assert (
            page.get_by_role("navigation", name="contract")
            .get_by_role("link", name=tab, exact=True)
            .is_visible()
        )

    overview = page.locator("#overview")
    overview.locator("input[name=effective_date]").fill(last.isoformat())
    overview.locator("input[name=reason]").fill("machines scrapped")
    overview.get_by_role("button", name="Terminate…").click()
    page.wait_for_url(f"**/contracts/{c['contract_id']}/confirm")
    confirm = page.locator("#confirm").inner_text()
    # 1 July to 31 December next year: six months of 1200.00 a year are no longer billed
    assert "terminated" in confirm and "-600.00" in confirm
    assert reload(staff, c["contract_id"])["status"] == "active"  # nothing written before Apply
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(f"**/contracts/{c['contract_id']}?done=terminate*")

    assert page.get_by_role("status").inner_text().startswith("Applied: terminate")
    assert "terminated" in page.locator("h1").inner_text()
    assert "machines scrapped" in page.locator("#history").inner_text()
    assert stack.staff_email in page.locator("#history").inner_text()
    after = reload(staff, c["contract_id"])
    assert (after["status"], after["end_date"]) == ("terminated", last.isoformat())
    assert violations == []
    page.close()


def test_a_customer_sees_its_contract_read_only(
    stack: StackInfo, staff: httpx.Client, browser: Browser
) -> None:
    made = contract_now(staff)
    email = f"{unique('ws')}@example.com"
    user = {
        "email": email,
        "password": PASSWORD,
        "role": "customer",
        "customer_id": made["customer"]["customer_id"],
    }
    ok(staff.post("/api/v1/users", json=user))
    page, violations = _sign_in(browser, stack, email, PASSWORD)

    page.goto(f"{stack.portal_url}/contracts/{made['contract']['contract_id']}")

    assert made["item"]["serial_no"] in page.locator("#items").inner_text()
    assert START.isoformat() in page.locator("#overview").inner_text()
    assert page.locator("form[action$='/confirm']").count() == 0
    assert page.locator("#history").count() == 0
    assert violations == []
    page.close()
