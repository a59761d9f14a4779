"""Renewal by acceptance: the customer sees the offer on its expiring contract, clicks accept, and the
successor follows (renewal.accepted from the gateway's outbox → contracts renews → contract.renewed)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx

from avtal_common import topics
from avtal_testing.api import eventually, ok, signed_in, unique
from avtal_testing.calendar import contract_with, events, internal_get
from avtal_testing.stack import StackInfo

PASSWORD = "correct horse battery"


def _customer_user(staff: httpx.Client, customer_id: str) -> str:
    email = f"{unique('renew')}@example.com"
    user = {"email": email, "password": PASSWORD, "role": "customer", "customer_id": customer_id}
    ok(staff.post("/api/v1/users", json=user))
    return email


def _form(client: httpx.Client, url: str) -> httpx.Response:
    """A browser form post: the CSRF token as the hidden field."""
    token = client.cookies["avtal_csrf"]
    return client.post(url, data={"_csrf_token": token}, headers={"X-CSRF-Token": ""}, follow_redirects=True)


def test_a_customer_accepts_the_renewal_of_its_expiring_contract_and_the_successor_follows(
    stack: StackInfo, staff: httpx.Client
) -> None:
    # Expiring today (it ends within 90 days of the real date): the portal shows the offer.
    end = date.today() + timedelta(days=40)
    made = contract_with(staff, str(end - timedelta(days=364)), str(end), [("1200.00", 1)])
    cid, customer_id = made["contract"]["contract_id"], made["customer"]["customer_id"]
    email = _customer_user(staff, customer_id)

    with signed_in(stack.portal_url, email, PASSWORD) as me:
        page = me.get(f"/contracts/{cid}").text
        assert "Accept renewal" in page and f'action="/contracts/{cid}/renewal/accept"' in page
        assert str(end + timedelta(days=1)) in page  # the offered term starts the day after the last
        done = _form(me, f"/contracts/{cid}/renewal/accept")
        assert done.status_code == 200

    successor_id = eventually(lambda: internal_get(stack, f"/contracts/{cid}")["renewed_to"], what="renewal")
    new = internal_get(stack, f"/contracts/{successor_id}")
    assert new["start_date"] == str(end + timedelta(days=1)) and new["renewed_from"] == cid
    assert [ln["unit_price"] for ln in new["lines"]] == ["1200.00"]  # fixed price policy
    history = internal_get(stack, f"/contracts/{cid}/history")
    assert (history[0]["action"], history[0]["actor"]) == ("renewed", email)
    accepted = asyncio.run(events(stack, topics.RENEWAL_ACCEPTED, {cid}))
    assert [(a["accepted_by"], a["contract_id"]) for a in accepted] == [(email, cid)]
    renewed = eventually(lambda: asyncio.run(events(stack, topics.CONTRACT_RENEWED, {cid})), what="renewed")
    assert [(r["how"], r["successor_id"]) for r in renewed] == [("accepted", successor_id)]
    # Accepting again is refused: it is renewed already.
    again = staff.post(f"/api/v1/contracts/{cid}/renewal/accept")
    assert again.status_code == 409


def test_another_customer_can_neither_see_nor_accept_the_renewal(
    stack: StackInfo, staff: httpx.Client
) -> None:
    end = date.today() + timedelta(days=30)
    made = contract_with(staff, str(end - timedelta(days=364)), str(end))
    other = contract_with(staff, "2031-01-01", "2031-12-31")
    email = _customer_user(staff, other["customer"]["customer_id"])
    cid = made["contract"]["contract_id"]

    with signed_in(stack.portal_url, email, PASSWORD) as them:
        assert them.get(f"/api/v1/contracts/{cid}/renewal").status_code == 404
        assert them.post(f"/api/v1/contracts/{cid}/renewal/accept").status_code == 404
    assert internal_get(stack, f"/contracts/{cid}")["renewed_to"] is None


def test_staff_renew_now_once_and_see_the_offer(staff: httpx.Client) -> None:
    made = contract_with(staff, "2031-01-01", "2031-12-31", [("500.00", 3)])
    cid = made["contract"]["contract_id"]

    offer = ok(staff.get(f"/api/v1/contracts/{cid}/renewal"))
    first = ok(staff.post(f"/api/v1/contracts/{cid}/renew"))
    second = ok(staff.post(f"/api/v1/contracts/{cid}/renew"))

    assert (offer["renewed"], offer["start_date"], offer["annual_value_after"]) == (
        False,
        "2032-01-01",
        "1500.00",
    )
    assert first["contract_id"] == second["contract_id"] and first["renewed_from"] == cid
    assert ok(staff.get(f"/api/v1/contracts/{cid}"))["status"] == "renewed"
