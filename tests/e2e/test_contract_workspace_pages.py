"""The contract workspace's forms (as a browser posts them, CSRF token as a hidden field): each operation
goes form → confirmation with the preview's effect → apply; a confirmation applied after someone else
changed the contract is refused with 409 on the page."""

from __future__ import annotations

import re

import httpx

from avtal_testing.api import eventually, signed_in, unique
from avtal_testing.contract_ops import EFFECTIVE, START, TODAY, contract_now, reload
from avtal_testing.contracts import billing_schedule
from avtal_testing.stack import StackInfo


def _form(client: httpx.Client, url: str, data: dict[str, str]) -> httpx.Response:
    token = client.cookies["avtal_csrf"]
    return client.post(
        url, data={**data, "_csrf_token": token}, headers={"X-CSRF-Token": ""}, follow_redirects=True
    )


def _hidden(html: str) -> dict[str, str]:
    """The confirmation page's Apply form: what it carries on."""
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))


def test_staff_add_an_item_and_change_prices_through_confirmation_pages(stack: StackInfo) -> None:
    with signed_in(stack.portal_url, stack.staff_email, stack.staff_password) as staff:
        made = contract_now(staff)
        c, base = made["contract"], f"/contracts/{made['contract']['contract_id']}"
        serial = unique("SN")
        add = {"operation": "add_items", "version": str(c["version"]), "effective_date": str(EFFECTIVE),
               "sku": made["product"]["sku"], "manufacturer_no": "HP", "serial_no": serial, "model": "LJ",
               "annual_price": "", "quantity": "1"}  # fmt: skip

        confirm = _form(staff, f"{base}/confirm", add)
        assert confirm.status_code == 200 and "added 1 item(s)" in confirm.text and serial in confirm.text
        assert reload(staff, c["contract_id"])["version"] == c["version"]
        applied = _form(staff, f"{base}/apply", _hidden(confirm.text))
        assert applied.status_code == 200 and "Applied: add items" in applied.text
        assert serial in applied.text and stack.staff_email in applied.text

        pct = {"operation": "change_prices", "version": str(c["version"] + 1), "percent": "10",
               "effective_date": EFFECTIVE.isoformat()}  # fmt: skip
        confirm = _form(staff, f"{base}/confirm", pct)
        assert "repriced 2 line(s)" in confirm.text
        _form(staff, f"{base}/apply", _hidden(confirm.text))
        after = reload(staff, c["contract_id"])
        assert after["version"] == c["version"] + 2 and after["annual_value"] == "2640.00"


def test_a_confirmation_applied_after_another_change_is_refused_with_409(stack: StackInfo) -> None:
    with signed_in(stack.portal_url, stack.staff_email, stack.staff_password) as staff:
        c = contract_now(staff)["contract"]
        base = f"/contracts/{c['contract_id']}"
        end = {"operation": "terminate", "version": str(c["version"]), "effective_date": str(EFFECTIVE),
               "reason": "closing"}  # fmt: skip
        confirm = _form(staff, f"{base}/confirm", end)
        staff.post(f"/api/v1{base}/change-prices", json={"version": c["version"], "percent": "2",
                                                          "effective_date": START.isoformat()})  # fmt: skip

        refused = _form(staff, f"{base}/apply", _hidden(confirm.text))

        assert refused.status_code == 409 and "changed meanwhile" in refused.text
        assert reload(staff, c["contract_id"])["status"] == "active"


def test_bill_now_confirmation_lists_the_due_periods(stack: StackInfo) -> None:
    with signed_in(stack.portal_url, stack.staff_email, stack.staff_password) as staff:
        c = contract_now(staff)["contract"]
        eventually(lambda: billing_schedule(stack, c["contract_id"]), what="billing to know the contract")
        form = {"operation": "bill_now", "version": str(c["version"]), "effective_date": TODAY.isoformat()}

        confirm = _form(staff, f"/contracts/{c['contract_id']}/confirm", form)

        assert confirm.status_code == 200
        assert f"{START.isoformat()} – {START.replace(month=12, day=31).isoformat()}" in confirm.text
        assert "1200.00 SEK" in confirm.text
