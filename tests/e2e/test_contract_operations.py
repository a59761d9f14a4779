"""Workflow operations on one contract through the public API on the real stack: each one's effect on the
contract, its audit entry (who, before → after) and the event on the broker; previews write nothing;
stale versions, closed contracts and double coverage are refused with a reason."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import httpx

from avtal_common import topics
from avtal_testing.api import eventually, ok, unique
from avtal_testing.contract_ops import (
    EFFECTIVE,
    END,
    START,
    TODAY,
    contract_now,
    facts,
    latest_audit,
    op,
    reload,
)
from avtal_testing.contracts import billing_schedule
from avtal_testing.stack import StackInfo


async def test_adding_an_item_previews_then_applies_with_audit_and_contract_amended(
    stack: StackInfo, staff: httpx.Client
) -> None:
    made = contract_now(staff)
    c, sku = made["contract"], made["product"]["sku"]
    new = {
        "sku": sku,
        "manufacturer_no": "HP",
        "model": "LJ",
        "serial_no": unique("SN"),
        "annual_price": "600.00",
    }

    preview = ok(op(staff, c, "add-items", {"effective_date": EFFECTIVE.isoformat(), "items": [new]}, True))
    assert reload(staff, c["contract_id"])["version"] == c["version"]  # a preview writes nothing
    applied = ok(op(staff, c, "add-items", {"effective_date": EFFECTIVE.isoformat(), "items": [new]}))

    assert (preview["applied"], applied["applied"]) == (False, True)
    assert preview["revenue_impact"] == applied["revenue_impact"]
    after = reload(staff, c["contract_id"])
    assert after["version"] == c["version"] + 1
    added = [ln for ln in after["lines"] if ln["item"]["serial_no"] == new["serial_no"]]
    assert [(ln["start_date"], ln["end_date"], ln["unit_price"]) for ln in added] == [
        (EFFECTIVE.isoformat(), END.isoformat(), "600.00")
    ]
    assert Decimal(after["annual_value"]) == Decimal("1800.00")
    audit = latest_audit(staff, c["contract_id"])
    assert (audit["action"], audit["actor"], audit["version"]) == (
        "add_items",
        stack.staff_email,
        after["version"],
    )
    assert (len(audit["before"]["lines"]), len(audit["after"]["lines"])) == (1, 2)
    events = await facts(stack, topics.CONTRACT_AMENDED, c["contract_id"])
    assert [(e["data"]["operation"], e["version"], len(e["data"]["lines"])) for e in events] == [
        ("add_items", after["version"], 2)
    ]


async def test_removing_an_item_ends_its_line_the_day_before_and_publishes_the_new_state(
    stack: StackInfo, staff: httpx.Client
) -> None:
    made = contract_now(staff)
    c, sku = made["contract"], made["product"]["sku"]
    second = {"sku": sku, "manufacturer_no": "HP", "model": "LJ", "serial_no": unique("SN")}
    c = reload(
        staff,
        ok(op(staff, c, "add-items", {"effective_date": START.isoformat(), "items": [second]}))[
            "contract_id"
        ],
    )
    item_id = c["lines"][0]["item"]["item_id"]

    ok(op(staff, c, "remove-items", {"effective_date": EFFECTIVE.isoformat(), "item_ids": [item_id]}))

    after = reload(staff, c["contract_id"])
    removed = next(ln for ln in after["lines"] if ln["item"]["item_id"] == item_id)
    assert removed["end_date"] == (EFFECTIVE - timedelta(days=1)).isoformat()
    audit = latest_audit(staff, c["contract_id"])
    assert audit["action"] == "remove_items" and audit["effective_date"] == EFFECTIVE.isoformat()
    states = await facts(stack, topics.CONTRACT_STATE, c["contract_id"], at_least=3)
    newest = max(states, key=lambda e: e["version"])
    assert newest["version"] == after["version"]
    ended = next(ln for ln in newest["data"]["lines"] if ln["item"]["item_id"] == item_id)
    assert ended["end_date"] == removed["end_date"]


async def test_a_price_change_splits_the_line_at_its_date_and_is_audited_with_both_prices(
    stack: StackInfo, staff: httpx.Client
) -> None:
    c = contract_now(staff)["contract"]
    line_id = c["lines"][0]["line_id"]

    prices = [{"line_id": line_id, "unit_price": "1500.00"}]
    a = ok(op(staff, c, "change-prices", {"effective_date": EFFECTIVE.isoformat(), "lines": prices}))

    after = reload(staff, c["contract_id"])
    parts = sorted((ln["start_date"], ln["end_date"], ln["unit_price"]) for ln in after["lines"])
    assert parts == [
        (START.isoformat(), (EFFECTIVE - timedelta(days=1)).isoformat(), "1200.00"),
        (EFFECTIVE.isoformat(), END.isoformat(), "1500.00"),
    ]
    assert Decimal(a["revenue_impact"]) > 0 and Decimal(after["annual_value"]) == Decimal("1500.00")
    audit = latest_audit(staff, c["contract_id"])
    assert {(ch["unit_price_before"], ch["unit_price_after"]) for ch in audit["detail"]["changes"]} >= {
        ("1200.00", "1500.00")
    }
    events = await facts(stack, topics.CONTRACT_AMENDED, c["contract_id"])
    assert [e["data"]["operation"] for e in events] == ["change_prices"]


async def test_terminating_ends_the_contract_and_billing_reschedules_to_the_last_covered_day(
    stack: StackInfo, staff: httpx.Client
) -> None:
    c = contract_now(staff)["contract"]
    last = date(TODAY.year + 1, 3, 31)

    ok(op(staff, c, "terminate", {"effective_date": last.isoformat(), "reason": "site closed"}))

    after = reload(staff, c["contract_id"])
    assert (after["status"], after["end_date"], after["terminated_on"]) == (
        "terminated",
        last.isoformat(),
        last.isoformat(),
    )
    assert {ln["end_date"] for ln in after["lines"]} == {last.isoformat()}
    audit = latest_audit(staff, c["contract_id"])
    assert (audit["before"]["status"], audit["after"]["status"]) == ("active", "terminated")
    [event] = await facts(stack, topics.CONTRACT_TERMINATED, c["contract_id"])
    assert (event["data"]["reason"], event["data"]["effective_date"]) == ("site closed", last.isoformat())
    schedule = eventually(
        lambda: (
            (s := billing_schedule(stack, c["contract_id"])) and s[-1]["period_end"] == last.isoformat() and s
        ),
        what="billing to end the schedule on the termination date",
    )
    assert schedule[-1]["period_start"] == date(TODAY.year + 1, 1, 1).isoformat()


def test_an_operation_on_a_version_the_user_no_longer_sees_is_refused_with_409(staff: httpx.Client) -> None:
    c = contract_now(staff)["contract"]
    ok(op(staff, c, "terminate", {"effective_date": END.isoformat(), "reason": "first"}, preview=True))
    ok(op(staff, c, "change-prices", {"effective_date": EFFECTIVE.isoformat(), "percent": "3"}))

    stale = op(staff, c, "terminate", {"effective_date": END.isoformat(), "reason": "second"})

    assert stale.status_code == 409
    assert "changed meanwhile" in stale.json()["detail"]


def test_a_terminated_contract_refuses_amendments(staff: httpx.Client) -> None:
    c = contract_now(staff)["contract"]
    ok(op(staff, c, "terminate", {"effective_date": EFFECTIVE.isoformat(), "reason": "moved"}))
    closed = reload(staff, c["contract_id"])

    refused = op(staff, closed, "change-prices", {"effective_date": TODAY.isoformat(), "percent": "5"})

    assert refused.status_code == 422
    assert "is terminated: it cannot be amended" in refused.json()["detail"]


def test_adding_an_item_covered_by_another_contract_is_refused_naming_that_contract(
    staff: httpx.Client,
) -> None:
    first = contract_now(staff)
    body = {
        "customer_id": first["customer"]["customer_id"],
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        "lines": [
            {"sku": first["product"]["sku"], "manufacturer_no": "HP", "model": "X", "serial_no": unique("SN")}
        ],
    }
    second = ok(staff.post("/api/v1/contracts", json=body))
    taken = {"sku": first["product"]["sku"], **first["item"]}

    covered = op(staff, second, "add-items", {"effective_date": EFFECTIVE.isoformat(), "items": [taken]})
    preview = op(
        staff, second, "add-items", {"effective_date": EFFECTIVE.isoformat(), "items": [taken]}, True
    )

    assert (covered.status_code, preview.status_code) == (409, 409)
    assert first["contract"]["contract_no"] in covered.json()["detail"]
    assert reload(staff, second["contract_id"])["version"] == second["version"]


def test_the_demo_has_a_contract_with_an_amendment_history(staff: httpx.Client) -> None:
    customers = ok(staff.get("/api/v1/customers", params={"limit": 1000}))["items"]
    [vv] = [c for c in customers if c["name"] == "Västra Verkstad AB"]
    [c] = ok(staff.get("/api/v1/contracts", params={"customer_id": vv["customer_id"]}))["items"]

    history = ok(staff.get(f"/api/v1/contracts/{c['contract_id']}/history"))

    assert [h["action"] for h in history] == ["remove_items", "change_prices", "add_items", "created"]
    assert c["version"] == 4
