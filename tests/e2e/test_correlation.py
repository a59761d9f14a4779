"""A request's correlation id travels from HTTP through the services into the events they publish."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx

from avtal_common import topics
from avtal_testing.api import eventually, make_customer_with_contract, ok, unique
from avtal_testing.kafka import header, read_all
from avtal_testing.stack import StackInfo


async def test_the_correlation_id_of_a_request_is_on_the_event_it_causes(
    stack: StackInfo, staff: httpx.Client
) -> None:
    cid = f"test-{uuid.uuid4().hex}"
    sku = unique("CID")
    ok(
        staff.post(
            "/api/v1/products",
            json={"sku": sku, "name": "Traced care", "annual_price": "100.00", "currency": "SEK"},
        )
    )
    customer = ok(
        staff.post(
            "/api/v1/customers", json={"name": unique("Traced"), "email": f"{unique('t')}@example.com"}
        )
    )
    body = {
        "customer_id": customer["customer_id"],
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "lines": [{"sku": sku, "manufacturer_no": "M", "model": "X", "serial_no": unique("S")}],
    }

    def create() -> httpx.Response | None:
        r = staff.post("/api/v1/contracts", json=body, headers={"X-Correlation-ID": cid})
        return None if r.status_code == 404 else r

    response = eventually(create, what="the product to reach contracts")
    assert response.status_code == 201 and response.headers["x-correlation-id"] == cid
    contract_id = response.json()["contract_id"]
    records = [
        r
        for r in await read_all(stack.kafka_bootstrap_servers, topics.CONTRACT_CREATED)
        if r.key == contract_id.encode()
    ]
    assert len(records) == 1
    assert header(records[0], "x-correlation-id") == cid
    assert json.loads(records[0].value)["correlation_id"] == cid


async def test_a_billing_runs_correlation_id_is_on_the_invoices_it_generates(
    stack: StackInfo, staff: httpx.Client
) -> None:
    contract = make_customer_with_contract(staff)["contract"]
    eventually(
        lambda: staff.get(f"/api/v1/contracts/{contract['contract_id']}/schedule").status_code == 200,
        what="billing to know the contract",
    )
    cid = f"run-{uuid.uuid4().hex}"
    ok(
        staff.post(
            "/api/v1/billing-runs",
            json={"as_of": "2026-01-01", "run_key": unique("run")},
            headers={"X-Correlation-ID": cid},
        )
    )

    async def generated() -> list:
        return [
            r
            for r in await read_all(stack.kafka_bootstrap_servers, topics.INVOICE_GENERATED)
            if json.loads(r.value)["data"]["contract_id"] == contract["contract_id"]
        ]

    for _ in range(120):
        if found := await generated():
            break
        await asyncio.sleep(0.5)
    assert len(found) == 1 and header(found[0], "x-correlation-id") == cid
    invoice_event = json.loads(found[0].value)["event_id"]
    for _ in range(120):  # …and on to the notification about that invoice
        sent = [
            r
            for r in await read_all(stack.kafka_bootstrap_servers, topics.NOTIFICATION_SENT)
            if json.loads(r.value)["data"]["related_event_id"] == invoice_event
        ]
        if sent:
            break
        await asyncio.sleep(0.5)
    assert len(sent) == 1 and json.loads(sent[0].value)["correlation_id"] == cid
