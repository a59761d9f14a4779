"""Customers, sites and covered items through the gateway: staff edit them on the portal; a customer user
sees its own customer page and items only (404 for any other, through the API and the portal alike)."""

from __future__ import annotations

import httpx

from avtal_testing.api import make_customer_with_contract, ok, signed_in, unique
from avtal_testing.stack import StackInfo


def _form(client: httpx.Client, url: str, data: dict[str, str]) -> httpx.Response:
    """A browser form post: the CSRF token as the hidden field."""
    token = client.cookies["avtal_csrf"]
    return client.post(
        url, data={**data, "_csrf_token": token}, headers={"X-CSRF-Token": ""}, follow_redirects=True
    )


def _customer_user(stack: StackInfo, staff: httpx.Client, customer_id: str) -> str:
    email = f"{unique('own')}@example.com"
    user = {
        "email": email,
        "password": "correct horse battery",
        "role": "customer",
        "customer_id": customer_id,
    }
    ok(staff.post("/api/v1/users", json=user))
    return email


def test_a_customer_user_sees_its_own_customer_and_items_and_404_for_another_customers(
    stack: StackInfo, staff: httpx.Client
) -> None:
    mine, other = make_customer_with_contract(staff), make_customer_with_contract(staff)
    my_id, other_id = mine["customer"]["customer_id"], other["customer"]["customer_id"]
    other_item = ok(staff.get(f"/api/v1/customers/{other_id}/items"))["items"][0]["item_id"]
    email = _customer_user(stack, staff, my_id)

    with signed_in(stack.portal_url, email, "correct horse battery") as me:
        own = ok(me.get(f"/api/v1/customers/{my_id}"))
        items = ok(me.get(f"/api/v1/customers/{my_id}/items"))
        page = me.get(f"/customers/{my_id}")
        refused = [
            me.get(path).status_code
            for path in (
                f"/api/v1/customers/{other_id}",
                f"/api/v1/customers/{other_id}/items",
                f"/api/v1/customers/{other_id}/sites",
                f"/api/v1/items/{other_item}",
                f"/customers/{other_id}",
            )
        ]
        staff_only = [me.get("/api/v1/customers").status_code, me.get("/customers").status_code]

    assert own["customer_id"] == my_id
    covered = items["items"][0]
    assert covered["serial_no"] == mine["item"]["serial_no"]
    assert covered["covered_by"]["contract_no"] == mine["contract"]["contract_no"]
    assert page.status_code == 200 and mine["item"]["serial_no"] in page.text
    assert other["item"]["serial_no"] not in page.text
    assert refused == [404] * 5
    assert staff_only == [403, 403]


def test_staff_edit_a_customer_on_the_portal_and_each_save_is_one_version_more(
    stack: StackInfo, staff: httpx.Client
) -> None:
    ref = unique("EDIT")
    made = ok(
        staff.post(
            "/api/v1/customers", json={"name": "Före AB", "email": "f@fore.example", "external_ref": ref}
        )
    )
    cid = made["customer_id"]
    fields = {
        "name": "Efter GmbH", "email": "rechnung@efter.example", "locale": "en", "external_ref": ref,
        "city": "Köln", "country": "de", "currency": "eur", "payment_terms_days": "45", "tax_id": "DE999",
        "vat_rate": "0", "reverse_charge": "on", "version": "1",
    }  # fmt: skip

    saved = _form(staff, f"/customers/{cid}/edit", fields)
    stale = _form(staff, f"/customers/{cid}/edit", fields | {"city": "Bonn"})  # still says version 1
    listed = ok(staff.get("/api/v1/customers", params={"q": ref}))

    assert saved.status_code == 200 and "Efter GmbH" in saved.text and "reverse charge" in saved.text
    assert stale.status_code == 409 and "reload it" in stale.text
    got = listed["items"]
    assert [(c["name"], c["city"], c["country"], c["currency"], c["version"]) for c in got] == [
        ("Efter GmbH", "Köln", "DE", "EUR", 2)
    ]
    assert (got[0]["reverse_charge"], got[0]["payment_terms_days"], got[0]["tax_id"]) == (True, 45, "DE999")


def test_a_serial_number_registered_to_another_customer_is_a_409_naming_it(staff: httpx.Client) -> None:
    first, second = make_customer_with_contract(staff), make_customer_with_contract(staff)
    body = {"customer_id": second["customer"]["customer_id"], **first["item"]}

    r = staff.post("/api/v1/items", json=body)

    assert r.status_code == 409
    assert f"registered to customer {first['customer']['name']}" in r.json()["detail"]
