"""Contracts with chosen terms for calendar tests, the calendar run of a day, and the events it published."""

from __future__ import annotations

import json
from typing import Any

import httpx

from avtal_testing.api import eventually, ok, unique
from avtal_testing.kafka import read_all
from avtal_testing.stack import StackInfo


def contract_with(
    staff: httpx.Client, start: str, end: str, prices: list[tuple[str, int]] | None = None, **terms: Any
) -> dict[str, Any]:
    """A new customer with one contract of `start`..`end`: one line per (unit price, quantity), each its
    own product and item; `terms` are ContractIn's (auto_renew, price_policy, uplift_pct, notice_days …)."""
    customer = ok(
        staff.post("/api/v1/customers", json={"name": unique("Cal"), "email": f"{unique('cal')}@example.com"})
    )
    lines = []
    for price, quantity in prices or [("1200.00", 1)]:
        sku = unique("CAL")
        ok(
            staff.post(
                "/api/v1/products",
                json={"sku": sku, "name": sku, "annual_price": "999.00", "currency": "SEK"},
            )
        )
        item = {"manufacturer_no": unique("M"), "model": "DL380", "serial_no": unique("SN")}
        lines.append({"sku": sku, **item, "annual_price": price, "quantity": quantity})
    body = {
        "customer_id": customer["customer_id"],
        "start_date": start,
        "end_date": end,
        "lines": lines,
        **terms,
    }

    def create() -> Any:
        r = staff.post("/api/v1/contracts", json=body)
        return None if r.status_code == 404 else ok(r)  # 404 until the products reached contracts

    return {"customer": customer, "contract": eventually(create, what="the products to reach contracts")}


def run_calendar(url: str, stack: StackInfo, today: str, customer_id: str) -> dict[str, Any]:
    """The calendar run of `today` for one customer's contracts, on the contracts service at `url`."""
    params = {"today": today, "customer_id": customer_id}
    r = httpx.post(f"{url}/calendar/run", params=params, headers=stack.internal_headers, timeout=60)
    return ok(r)


async def events(stack: StackInfo, topic: str, contract_ids: set[str]) -> list[dict[str, Any]]:
    """The `data` of every event on `topic` about these contracts (read from the broker)."""
    records = await read_all(stack.kafka_bootstrap_servers, topic)
    return [json.loads(r.value)["data"] for r in records if r.key and r.key.decode() in contract_ids]


def internal_get(stack: StackInfo, path: str) -> Any:
    return ok(httpx.get(f"{stack.services['contracts']}{path}", headers=stack.internal_headers, timeout=30))
