"""The daily calendar on the real stack: status follows the calendar, reminders exactly once (reruns,
restarts, two instances at once), auto-renewals with a 3 % uplift and with an index."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest

from avtal_common import topics
from avtal_testing.api import eventually, ok, unique
from avtal_testing.brokers import free_port
from avtal_testing.calendar import contract_with, events, internal_get, run_calendar
from avtal_testing.stack import StackInfo


def test_a_contract_is_expired_the_day_after_its_last_day_without_anyone_touching_it(
    stack: StackInfo, staff: httpx.Client
) -> None:
    made = contract_with(staff, "2025-01-01", "2025-12-31")
    cid, customer_id = made["contract"]["contract_id"], made["customer"]["customer_id"]
    # Before any run: stored 'active', but the list and the contract already say 'expired'.
    listed = ok(staff.get("/api/v1/contracts", params={"customer_id": customer_id}))["items"]
    assert [c["status"] for c in listed] == ["expired"]

    report = run_calendar(stack.services["contracts"], stack, "2026-01-01", customer_id)
    again = _cli(stack, "--today", "2026-01-01", "--customer", customer_id)  # the operator's rerun

    assert report["moved"] == {"expired": 1}
    assert again.returncode == 0 and "calendar 2026-01-01: 0 due; moved none; 0 reminders" in again.stdout
    history = internal_get(stack, f"/contracts/{cid}/history")
    assert [(h["action"], h["actor"], h["version"]) for h in history[:1]] == [("expired", "calendar", 2)]
    assert history[0]["before"]["status"] == "active" and history[0]["after"]["status"] == "expired"
    assert internal_get(stack, f"/contracts/{cid}")["version"] == 2


def _cli(stack: StackInfo, *args: str) -> subprocess.CompletedProcess[str]:
    """`avtal contracts calendar ...` against this stack's contracts service."""
    env = stack.env | {"AVTAL_CONTRACTS_URL": stack.services["contracts"]}
    cmd = [sys.executable, "-m", "avtal_stack.cli", "contracts", "calendar", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_the_expired_fact_and_state_reach_the_broker_once(stack: StackInfo, staff: httpx.Client) -> None:
    made = contract_with(staff, "2025-02-01", "2026-01-31")
    cid, customer_id = made["contract"]["contract_id"], made["customer"]["customer_id"]
    for _ in range(2):
        run_calendar(stack.services["contracts"], stack, "2026-02-01", customer_id)

    expired = eventually(lambda: _events_sync(stack, topics.CONTRACT_EXPIRED, cid), what="contract.expired")
    assert [(e["contract_no"], e["end_date"]) for e in expired] == [
        (made["contract"]["contract_no"], "2026-01-31")
    ]
    states = eventually(lambda: _events_sync(stack, topics.CONTRACT_STATE, cid, 2), what="two states")
    assert [(s["status"], s["contract_no"]) for s in states] == [
        ("active", made["contract"]["contract_no"]), ("expired", made["contract"]["contract_no"])
    ]  # fmt: skip


@pytest.fixture
def second_contracts(stack: StackInfo):
    """A second contracts process on the same database and broker (a replica), restartable. Its daily job
    is off: a start-up run with the real date would touch other tests' contracts; its runs are the
    test's, for the test's days and customer."""
    port = free_port()
    log = open(stack.home / "logs" / f"contracts-replica-{port}.log", "w")  # noqa: SIM115
    env = stack.env | {"AVTAL_CONTRACTS_HTTP_PORT": str(port), "AVTAL_CONTRACTS_CALENDAR_DAILY": "false"}
    procs: list[subprocess.Popen[bytes]] = []

    def start() -> str:
        procs.append(
            subprocess.Popen([sys.executable, "-m", "avtal_contracts"], env=env, stdout=log, stderr=log)
        )
        url = f"http://127.0.0.1:{port}"
        eventually(lambda: _ready(url), timeout_s=90, what="the replica to be ready")
        return url

    def stop() -> None:
        procs[-1].terminate()
        procs[-1].wait(45)

    try:
        yield start, stop
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        log.close()


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_reminders_go_out_once_per_contract_basis_and_lead_across_reruns_replicas_and_restarts(
    stack: StackInfo, staff: httpx.Client, second_contracts
) -> None:
    start, stop = second_contracts
    # Term end 2031-03-31, notice 30 days: deadline 2031-03-01.
    made = contract_with(staff, "2030-04-01", "2031-03-31", notice_days=30)
    cid, customer_id = made["contract"]["contract_id"], made["customer"]["customer_id"]
    main, replica = stack.services["contracts"], start()

    # Both instances run 2031-01-01 at once: term end -89 days -> lead 90; deadline -59 -> lead 60.
    with ThreadPoolExecutor(2) as pool:
        runs = list(
            pool.map(lambda url: run_calendar(url, stack, "2031-01-01", customer_id), [main, replica])
        )
    assert sorted(r["reminders"] for r in runs) == [0, 2]
    stop()
    replica = start()  # a restart: a rerun of the day changes nothing
    assert run_calendar(replica, stack, "2031-01-01", customer_id)["reminders"] == 0
    # After downtime until the deadline: term end -30 -> 30; deadline day itself -> 7 (30 skipped).
    with ThreadPoolExecutor(2) as pool:
        later = list(
            pool.map(lambda url: run_calendar(url, stack, "2031-03-01", customer_id), [replica, main])
        )
    assert sorted(r["reminders"] for r in later) == [0, 2]

    sent = internal_get(stack, f"/contracts/{cid}/reminders")
    assert sorted((r["basis"], r["lead_days"]) for r in sent) == [
        ("notice_deadline", 7), ("notice_deadline", 60), ("term_end", 30), ("term_end", 90),
    ]  # fmt: skip
    published = eventually(lambda: _all_four(stack, cid), what="four contract.expiring on the broker")
    assert Counter(published) == Counter(
        {("term_end", 90, "2030-12-31"): 1, ("notice_deadline", 60, "2030-12-31"): 1,
         ("term_end", 30, "2031-03-01"): 1, ("notice_deadline", 7, "2031-02-22"): 1}
    )  # fmt: skip
    # Stored once (the API shows the real date's status; the run's day was 2031-01-01).
    moves = [h for h in internal_get(stack, f"/contracts/{cid}/history") if h["action"] == "status"]
    assert [(h["actor"], h["after"]["status"]) for h in moves] == [("calendar", "expiring")]


def _all_four(stack: StackInfo, cid: str) -> list[tuple[str, int, str]] | None:
    found = _events_sync(stack, topics.CONTRACT_EXPIRING, cid, 4) or []
    return [(e["basis"], e["lead_days"], e["due_on"]) for e in found] or None


def test_an_auto_renewing_contract_renews_on_its_last_day_with_a_3_percent_uplift(
    stack: StackInfo, staff: httpx.Client
) -> None:
    terms = {"auto_renew": True, "price_policy": "uplift_pct", "uplift_pct": "3", "renewal_term_months": 12}
    made = contract_with(staff, "2031-01-01", "2031-12-31", [("1000.05", 2), ("333.33", 1)], **terms)
    cid, customer_id = made["contract"]["contract_id"], made["customer"]["customer_id"]

    assert run_calendar(stack.services["contracts"], stack, "2031-12-30", customer_id)["renewed"] == []
    report = run_calendar(stack.services["contracts"], stack, "2031-12-31", customer_id)
    assert run_calendar(stack.services["contracts"], stack, "2032-01-02", customer_id)["renewed"] == []

    old = internal_get(stack, f"/contracts/{cid}")
    new = internal_get(stack, f"/contracts/{old['renewed_to']}")
    assert report["renewed"] == [f"{old['contract_no']} -> {new['contract_no']}"]
    assert old["status"] == "renewed" and new["renewed_from"] == cid
    assert (new["start_date"], new["end_date"], new["status"]) == ("2032-01-01", "2032-12-31", "active")
    # 1000.05 x 1.03 = 1030.0515 -> 1030.05 (x 2 = 2060.10); 333.33 x 1.03 = 343.3299 -> 343.33.
    assert sorted((ln["unit_price"], ln["quantity"]) for ln in new["lines"]) == [
        ("1030.05", 2),
        ("343.33", 1),
    ]
    assert Decimal(new["annual_value"]) == Decimal("2403.43")
    renewed = eventually(lambda: _events_sync(stack, topics.CONTRACT_RENEWED, cid), what="contract.renewed")
    assert [
        (e["how"], e["successor_id"], e["annual_value_before"], e["annual_value_after"]) for e in renewed
    ] == [("auto", new["contract_id"], "2333.43", "2403.43")]
    created = eventually(
        lambda: _events_sync(stack, topics.CONTRACT_CREATED, new["contract_id"]), what="created"
    )
    assert [c["contract_no"] for c in created] == [new["contract_no"]]


def _events_sync(stack: StackInfo, topic: str, cid: str, at_least: int = 1) -> list[dict] | None:
    """The contract's events on `topic` once there are `at_least` of them."""
    found = asyncio.run(events(stack, topic, {cid}))
    return found if len(found) >= at_least else None


def test_an_index_renewal_waits_for_the_index_values_then_follows_their_ratio(
    stack: StackInfo, staff: httpx.Client
) -> None:
    index = unique("KPI")[:40]
    terms = {"auto_renew": True, "price_policy": "uplift_index", "uplift_index": index}
    made = contract_with(staff, "2031-01-01", "2031-12-31", [("1000.05", 1)], **terms)
    cid, customer_id = made["contract"]["contract_id"], made["customer"]["customer_id"]

    waiting = run_calendar(stack.services["contracts"], stack, "2031-12-31", customer_id)
    assert [w["contract_id"] for w in waiting["waiting"]] == [cid] and waiting["renewed"] == []
    assert f"{index} 2030 → 2031" in waiting["waiting"][0]["reason"]
    assert internal_get(stack, f"/contracts/{cid}")["renewed_to"] is None
    for period, value in ((2030, "400.00"), (2031, "412.34")):
        ok(staff.post("/api/v1/indexes", json={"name": index, "period": period, "value": value}))
    renewed = run_calendar(stack.services["contracts"], stack, "2032-01-03", customer_id)

    new = internal_get(stack, f"/contracts/{internal_get(stack, f'/contracts/{cid}')['renewed_to']}")
    assert len(renewed["renewed"]) == 1 and new["start_date"] == "2032-01-01"
    # 1000.05 x 412.34 / 400.00 = 1030.9015... -> 1030.90
    assert [ln["unit_price"] for ln in new["lines"]] == ["1030.90"]
    assert [v["value"] for v in ok(staff.get("/api/v1/indexes", params={"name": index}))] == [
        "400.0000",
        "412.3400",
    ]
