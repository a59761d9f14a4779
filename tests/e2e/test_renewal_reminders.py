"""Renewal reminders on the real stack: the first expiry notice of a term starts them, the reminder pass
for a later day mails one per cadence (once, however often it runs), and the customer's Decline button
in the portal stops them."""

from __future__ import annotations

import asyncio
import mailbox
from datetime import date, timedelta
from typing import Any

import httpx

from avtal_common import topics
from avtal_testing.api import eventually, ok, signed_in, unique
from avtal_testing.calendar import contract_with, events
from avtal_testing.stack import StackInfo

PASSWORD = "correct horse battery"


def _reminders_to(stack: StackInfo, recipient: str) -> list[str]:
    box = mailbox.Maildir(str(stack.maildir), create=False)
    return sorted(m["Subject"] for m in box if m["To"] == recipient and m["Subject"].startswith("Reminder"))


def _notifier(stack: StackInfo, method: str, path: str, **kw: Any) -> Any:
    with stack.internal("notifier") as notifier:
        return ok(notifier.request(method, path, **kw))


def test_reminders_follow_the_cadence_once_each_until_the_customer_declines(
    stack: StackInfo, staff: httpx.Client
) -> None:
    today = date.today()
    end = today + timedelta(days=40)  # its 60-day notice was due 20 days ago
    made = contract_with(staff, str(end - timedelta(days=364)), str(end))
    cid, customer = made["contract"]["contract_id"], made["customer"]
    with stack.internal("contracts") as contracts:
        ok(
            contracts.post(
                "/calendar/run", params={"today": str(today), "customer_id": customer["customer_id"]}
            )
        )
    [term] = eventually(
        lambda: _notifier(stack, "GET", f"/reminders/{cid}") or None, what="the notifier's term"
    )
    first = date.fromisoformat(term["first_notice_on"])
    assert first == end - timedelta(days=60) and term["stopped"] is None

    for _ in range(2):  # a rerun, or a second replica, mails nothing twice
        _notifier(stack, "POST", "/reminders/run", params={"today": str(first + timedelta(days=14))})
    _notifier(stack, "POST", "/reminders/run", params={"today": str(first + timedelta(days=27))})  # not due
    subjects = eventually(lambda: _reminders_to(stack, customer["email"]) or None, what="reminder 1")
    assert len(subjects) == 1 and subjects[0].startswith(
        f"Reminder 1: contract {made['contract']['contract_no']}"
    )

    email = f"{unique('decline')}@example.com"
    user = {"email": email, "password": PASSWORD, "role": "customer", "customer_id": customer["customer_id"]}
    ok(staff.post("/api/v1/users", json=user))
    with signed_in(stack.portal_url, email, PASSWORD) as me:
        assert f'action="/contracts/{cid}/renewal/decline"' in me.get(f"/contracts/{cid}").text
        token = me.cookies["avtal_csrf"]
        done = me.post(f"/contracts/{cid}/renewal/decline", data={"_csrf_token": token},
                       headers={"X-CSRF-Token": ""}, follow_redirects=True)  # fmt: skip
        assert done.status_code == 200
    declined = asyncio.run(events(stack, topics.RENEWAL_DECLINED, {cid}))
    assert [d["declined_by"] for d in declined] == [email]
    eventually(lambda: _notifier(stack, "GET", f"/reminders/{cid}")[0]["stopped"] == "declined", what="stop")

    _notifier(stack, "POST", "/reminders/run", params={"today": str(first + timedelta(days=29))})
    assert len(_reminders_to(stack, customer["email"])) == 1
