"""Demo data of the notifier: a customer whose purchasing contact is refused by the mail sink (a failed
e-mail on /notifications) and whose contract, ending in 40 days, has had its first renewal reminder."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

import httpx

from avtal_stack import demo

if TYPE_CHECKING:
    from avtal_stack.stack import Stack

CUSTOMER = {"name": "Östra Labb AB", "email": "ekonomi@ostralabb.example", "locale": "sv",
            "external_ref": "DEMO-OL"}  # fmt: skip
# The SMTP sink refuses every address at refused.example with a 550: a permanent failure.
REFUSED_CONTACT = "inkop@refused.example"


def _internal(stack: Stack, service: str) -> httpx.Client:
    token = stack.secrets["service_token"]
    url = f"http://127.0.0.1:{stack.ports.service(service)}"
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def notices(api: httpx.Client, stack: Stack, today: date) -> None:
    """The customer (with its extra contact for renewal notices), a contract whose 60-day expiry notice
    was due 20 days ago, the calendar run for it, and the reminders due today."""
    key = {"Idempotency-Key": f"demo-customer-{CUSTOMER['external_ref']}"}
    customer_id = demo.ok(api.post("/api/v1/customers", json=CUSTOMER, headers=key))["customer_id"]
    pref = {"enabled": True, "customer_email": True, "contacts": [REFUSED_CONTACT]}
    body = {"preferences": [pref | {"kind": k} for k in ("contract_expiring", "renewal_reminder")]}
    with _internal(stack, "notifier") as notifier, _internal(stack, "contracts") as contracts:
        demo.ok(notifier.put(f"/preferences/{customer_id}", json=body))
        contract_id = _contract(api, customer_id, today + timedelta(days=40))
        demo.ok(contracts.post("/calendar/run", params={"today": str(today), "customer_id": customer_id}))
        if _term_known(notifier, contract_id):
            demo.ok(notifier.post("/reminders/run", params={"today": str(today)}))


def _contract(api: httpx.Client, customer_id: str, end: date) -> str:
    line = {
        "sku": "PRN-CARE",
        "manufacturer_no": "HP-3PZ95A",
        "model": "LaserJet M607",
        "serial_no": "OLREN001",
    }
    body = {"customer_id": customer_id, "start_date": str(end - timedelta(days=364)), "end_date": str(end),
            "billing_interval_months": 12, "lines": [line]}  # fmt: skip
    r = api.post("/api/v1/contracts", json=body, headers={"Idempotency-Key": f"demo-contract-OL-{end}"})
    if r.status_code == 409:  # an earlier start covered the item already
        return str(
            demo.items_of(demo.ok(api.get("/api/v1/contracts", params={"customer_id": customer_id})))[0][
                "contract_id"
            ]
        )
    return str(demo.ok(r)["contract_id"])


def _term_known(notifier: httpx.Client, contract_id: str, timeout_s: float = 60.0) -> bool:
    """The notifier has the contract's expiry notice (events take a moment)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if demo.ok(notifier.get(f"/reminders/{contract_id}")):
            return True
        time.sleep(0.5)
    return False
