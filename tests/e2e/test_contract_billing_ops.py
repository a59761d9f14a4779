"""Bill now and the 'list' price policy on the real stack: an off-cycle invoice is made exactly once
however often it is asked for or delivered; a vendor list price job reprices the contracts that follow
the list from its date, and its revert restores them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import httpx

from avtal_common import topics
from avtal_testing.api import eventually, ok, unique
from avtal_testing.contract_ops import END, START, TODAY, contract_now, facts, op, reload
from avtal_testing.contracts import billing_schedule
from avtal_testing.kafka import publish
from avtal_testing.stack import StackInfo

FUTURE = TODAY + timedelta(days=45)


def invoices_of(staff: httpx.Client, contract_id: str) -> list[dict[str, Any]]:
    return ok(staff.get("/api/v1/invoices", params={"contract_id": contract_id}))["items"]  # type: ignore[no-any-return]


def run_done(stack: StackInfo, run_key: str) -> dict[str, Any] | None:
    with stack.internal("billing") as billing:
        r = billing.get(f"/billing-runs/{run_key}")
    return r.json() if r.status_code == 200 else None


async def test_bill_now_invoices_the_due_period_once_even_when_asked_twice_and_redelivered(
    stack: StackInfo, staff: httpx.Client
) -> None:
    c = contract_now(staff)["contract"]
    cid = c["contract_id"]
    eventually(lambda: billing_schedule(stack, cid), what="billing to know the contract")

    requests = [ok(op(staff, c, "bill-now", {"as_of": TODAY.isoformat()})) for _ in range(2)]
    [first, *_] = await facts(stack, topics.CONTRACT_BILL_REQUESTED, cid, at_least=2)
    await publish(stack.kafka_bootstrap_servers, topics.CONTRACT_BILL_REQUESTED, json.dumps(first).encode(),
                  key=cid.encode(), headers={"event_type": topics.CONTRACT_BILL_REQUESTED})  # fmt: skip
    # A last request after the redelivery, on the same key (so the same partition, in order): once its
    # run is done, billing has handled everything before it.
    ok(op(staff, c, "bill-now", {"as_of": TODAY.isoformat()}))
    events = await facts(stack, topics.CONTRACT_BILL_REQUESTED, cid, at_least=4)
    eventually(lambda: run_done(stack, f"bill-now:{events[-1]['event_id']}"), what="the last bill-now run")

    [invoice] = invoices_of(staff, cid)
    assert invoice["period_start"] == START.isoformat()
    assert {r["as_of"] for r in requests} == {TODAY.isoformat()}
    runs = [run_done(stack, f"bill-now:{e['event_id']}") for e in events]
    assert [r["invoices_created"] if r else None for r in runs[:2]] == [1, 0]
    history = ok(staff.get(f"/api/v1/contracts/{cid}/history"))
    assert [h["action"] for h in history[:3]] == ["bill_requested"] * 3
    assert reload(staff, cid)["version"] == c["version"]  # asking for an invoice changes no term


def _list_priced_contract(staff: httpx.Client, sku: str, customer_id: str) -> dict[str, Any]:
    body = {
        "customer_id": customer_id,
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        "price_policy": "list",
        "lines": [{"sku": sku, "manufacturer_no": "HP", "model": "X", "serial_no": unique("SN")}],
    }
    return ok(staff.post("/api/v1/contracts", json=body))  # type: ignore[no-any-return]


def _prices(staff: httpx.Client, cid: str) -> list[tuple[str, str, str]]:
    return sorted((ln["start_date"], ln["end_date"], ln["unit_price"]) for ln in reload(staff, cid)["lines"])


async def test_a_vendor_list_price_job_reprices_list_contracts_from_its_date_and_its_revert_restores(
    stack: StackInfo, staff: httpx.Client
) -> None:
    made = contract_now(staff, price="1000.00")  # policy 'fixed': stays as it is
    product, fixed = made["product"], made["contract"]
    follows = _list_priced_contract(staff, product["sku"], made["customer"]["customer_id"])
    vendor = unique("V").upper()
    ok(staff.post("/api/v1/parties", json={"kind": "vendor", "code": vendor, "name": "HP"}))
    entry = {
        "party_code": vendor,
        "list_price": "1000.00",
        "effective_from": date(TODAY.year - 1, 1, 1).isoformat(),
    }
    ok(staff.post(f"/api/v1/products/{product['product_id']}/prices", json=entry))
    body = {"selection": {"skus": [product["sku"]]}, "rule": {"change": "percent", "value": "10"},
            "effective_from": FUTURE.isoformat()}  # fmt: skip
    job = ok(staff.post("/api/v1/price-jobs", json=body))

    ok(staff.post(f"/api/v1/price-jobs/{job['job_id']}/apply"))

    repriced = [(START.isoformat(), (FUTURE - timedelta(days=1)).isoformat(), "1000.00"),
                (FUTURE.isoformat(), END.isoformat(), "1100.00")]  # fmt: skip
    eventually(lambda: _prices(staff, follows["contract_id"]) == repriced, what="the list contract repriced")
    audit = ok(staff.get(f"/api/v1/contracts/{follows['contract_id']}/history"))[0]
    assert (audit["action"], audit["actor"], audit["effective_date"]) == (
        "change_prices",
        "catalog",
        FUTURE.isoformat(),
    )
    [amended] = await facts(stack, topics.CONTRACT_AMENDED, follows["contract_id"])
    assert amended["data"]["operation"] == "change_prices"

    ok(staff.post(f"/api/v1/price-jobs/{job['job_id']}/revert"))

    restored = [repriced[0], (FUTURE.isoformat(), END.isoformat(), "1000.00")]
    eventually(
        lambda: _prices(staff, follows["contract_id"]) == restored, what="the revert restoring the price"
    )
    assert reload(staff, fixed["contract_id"])["version"] == fixed["version"]
