"""The contracts list: filters and ticks → bulk preview → apply → job page with failures → undo, through
the portal's forms; a customer user sees only its own contracts (page and API)."""

from __future__ import annotations

import re

import httpx

from avtal_testing.api import eventually, make_customer_with_contract, ok, signed_in, unique
from avtal_testing.stack import StackInfo

PASSWORD = "correct horse battery"


def _form(client: httpx.Client, url: str, data: dict[str, object]) -> httpx.Response:
    """A browser form post: the CSRF token as the hidden field."""
    token = client.cookies["avtal_csrf"]
    return client.post(
        url, data={**data, "_csrf_token": token}, headers={"X-CSRF-Token": ""}, follow_redirects=True
    )


def _page_with(client: httpx.Client, url: str, text: str) -> str | None:
    page = client.get(url).text
    return page if text in page else None


def _second_contract(staff: httpx.Client, made: dict[str, object], end: str) -> dict[str, object]:
    customer, product = made["customer"], made["product"]
    body = {
        "customer_id": customer["customer_id"],  # type: ignore[index]
        "start_date": "2026-01-01",
        "end_date": end,
        "lines": [
            {"sku": product["sku"], "manufacturer_no": unique("M"), "model": "X", "serial_no": unique("SN")}
        ],  # type: ignore[index]
    }
    created: dict[str, object] = ok(staff.post("/api/v1/contracts", json=body))
    return created


def test_staff_tick_contracts_preview_apply_follow_the_job_and_undo_it(
    stack: StackInfo, staff: httpx.Client
) -> None:
    made = make_customer_with_contract(staff, end="2026-12-31")
    first, second = made["contract"], _second_contract(staff, made, "2027-02-28")
    customer_id = made["customer"]["customer_id"]

    listed = staff.get("/contracts", params={"customer_id": customer_id}).text
    form = {"customer_id": customer_id, "ids": [first["contract_id"], second["contract_id"]],
            "kind": "coterminate", "mode": "latest"}  # fmt: skip
    preview = _form(staff, "/contracts/bulk/preview", form)
    unchanged = ok(staff.get(f"/api/v1/contracts/{first['contract_id']}"))
    applied = _form(staff, "/contracts/bulk/apply", form)
    job_url = applied.url.path
    done = eventually(lambda: _page_with(staff, job_url, "2 of 2 contract(s) done"), 60)

    assert first["contract_no"] in listed and second["contract_no"] in listed and "2 of 2" not in listed
    assert "2 contract(s) selected; new end date <strong>2027-02-28</strong>" in preview.text
    assert (
        "end date 2026-12-31 -&gt; 2027-02-28" in preview.text
        and "already ends on 2027-02-28" in preview.text
    )
    assert (unchanged["end_date"], unchanged["version"]) == ("2026-12-31", 1)  # the preview wrote nothing
    assert re.fullmatch(r"/contracts/bulk-jobs/[0-9a-f-]{36}", job_url), job_url
    assert 'src="/static/bulk-job.js"' in applied.text and "<script>" not in applied.text
    assert "1 applied, 1 failed" in done and "already ends on 2027-02-28" in done
    assert ok(staff.get(f"/api/v1/contracts/{first['contract_id']}"))["end_date"] == "2027-02-28"

    undone = _form(staff, f"{job_url}/undo", {})
    eventually(lambda: _page_with(staff, undone.url.path, "1 of 1 contract(s) done"), 60)
    back = ok(staff.get(f"/api/v1/contracts/{first['contract_id']}"))
    assert (back["end_date"], back["version"]) == ("2026-12-31", 3)


def test_the_list_filters_by_sku_and_status_and_refuses_a_bulk_operation_with_nothing_ticked(
    staff: httpx.Client,
) -> None:
    made = make_customer_with_contract(staff, start="2026-01-01", end="2030-12-31")  # active until 2030
    sku, number = made["product"]["sku"], made["contract"]["contract_no"]

    active = staff.get("/contracts", params={"sku": sku, "status": "active"}).text
    expired = staff.get("/contracts", params={"sku": sku, "status": "expired"}).text
    nothing = {
        "customer_id": made["customer"]["customer_id"],
        "kind": "coterminate",
        "end_date": "2027-01-31",
    }
    preview = _form(staff, "/contracts/bulk/preview", nothing)
    bad = staff.get("/contracts", params={"end_from": "not a date"})

    assert number in active and "every contract matching the filters (1)" in active
    assert number not in expired and "No contracts match." in expired
    assert "tick at least one contract" in preview.text
    assert bad.status_code == 400


def test_a_customer_sees_only_its_own_contracts_in_the_list_and_the_filtered_api(
    stack: StackInfo, staff: httpx.Client
) -> None:
    mine, theirs = make_customer_with_contract(staff), make_customer_with_contract(staff)
    email = f"{unique('list')}@example.com"
    user = {
        "email": email,
        "password": PASSWORD,
        "role": "customer",
        "customer_id": mine["customer"]["customer_id"],
    }
    ok(staff.post("/api/v1/users", json=user))

    with signed_in(stack.portal_url, email, PASSWORD) as me:
        page = me.get("/contracts", params={"customer_id": theirs["customer"]["customer_id"]}).text
        by_sku = ok(me.get("/api/v1/contracts", params={"sku": theirs["product"]["sku"]}))
        own_sku = ok(me.get("/api/v1/contracts", params={"sku": mine["product"]["sku"]}))
        searched = ok(
            me.post("/api/v1/contracts/search", json={"customer_id": theirs["customer"]["customer_id"]})
        )
        tool = me.post("/api/v1/bulk-jobs/preview", json={})

    assert mine["contract"]["contract_no"] in page and theirs["contract"]["contract_no"] not in page
    assert 'name="ids"' not in page and "Bulk operation" not in page
    assert by_sku["total"] == 0
    assert [c["contract_id"] for c in own_sku["items"]] == [mine["contract"]["contract_id"]]
    assert {c["customer_id"] for c in searched["items"]} == {mine["customer"]["customer_id"]}
    assert tool.status_code == 403


def test_the_public_api_filters_contracts_by_sku_end_date_and_status(staff: httpx.Client) -> None:
    made = make_customer_with_contract(staff, end="2026-12-31")
    sku = made["product"]["sku"]

    inside = ok(
        staff.get("/api/v1/contracts", params={"sku": sku, "end_from": "2026-12-01", "end_to": "2026-12-31"})
    )
    outside = ok(staff.get("/api/v1/contracts", params={"sku": sku, "end_to": "2026-11-30"}))
    terminated = ok(staff.get("/api/v1/contracts", params={"sku": sku, "status": "terminated"}))

    assert [c["contract_id"] for c in inside["items"]] == [made["contract"]["contract_id"]] and inside[
        "total"
    ] == 1
    assert outside["total"] == 0 and terminated["total"] == 0
