"""A contract as contracts publishes it on `contract.state`, for tests that drive billing directly; and
billing's schedule for it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from avtal_testing.api import unique
from avtal_testing.stack import StackInfo


def contract_state(
    contract_id: uuid.UUID,
    start: str = "2026-01-01",
    end: str = "2026-12-31",
    interval: int = 12,
    annual_price: str = "1200.00",
    customer_name: str = "Test Customer AB",
) -> dict[str, Any]:
    """The full state of an active one-line contract (see tests/contracts/samples/contract.state.v1.json)."""
    return {
        "contract_id": str(contract_id),
        "contract_no": f"C-{contract_id.hex[:10]}",
        "currency": "SEK",
        "customer": {
            "customer_id": str(uuid.uuid4()),
            "name": customer_name,
            "email": f"{unique('ap')}@example.com",
            "locale": "en",
        },
        "start_date": start,
        "end_date": end,
        "billing_interval_months": interval,
        "status": "active",
        "lines": [
            {
                "line_id": str(uuid.uuid4()),
                "product_id": str(uuid.uuid4()),
                "sku": "TEST-1",
                "product_name": "Test care",
                "annual_price": annual_price,
                "item": {
                    "item_id": str(uuid.uuid4()),
                    "manufacturer_no": "M",
                    "model": "X",
                    "serial_no": unique("S"),
                },
            }
        ],
    }


def billing_schedule(stack: StackInfo, contract_id: uuid.UUID) -> list[Any] | None:
    """Billing's periods for the contract, or None while billing does not know it."""
    r = httpx.get(
        f"{stack.services['billing']}/contracts/{contract_id}/schedule", headers=stack.internal_headers
    )
    return r.json() if r.status_code == 200 else None
