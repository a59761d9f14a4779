"""The buyer on an invoice is the customer as they are when it is issued: an address or VAT number changed
after the contract was signed reaches the next invoice (customer.state), without touching the contract."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx

from avtal_testing.api import eventually, make_customer_with_contract, ok, unique
from avtal_testing.stack import StackInfo


async def _billing_city(stack: StackInfo, customer_id: str) -> str | None:
    conn = await asyncpg.connect(stack.database_url("billing"))
    try:
        city: str | None = await conn.fetchval(
            "SELECT city FROM customers WHERE customer_id = $1", customer_id
        )
        return city
    finally:
        await conn.close()


def test_an_address_changed_after_signing_is_printed_on_the_next_invoice(
    stack: StackInfo, staff: httpx.Client
) -> None:
    made = make_customer_with_contract(staff, start="2026-01-01", end="2026-12-31", interval=12)
    customer, contract = made["customer"], made["contract"]
    cid = contract["contract_id"]
    eventually(
        lambda: staff.get(f"/api/v1/contracts/{cid}/schedule").status_code == 200 or None, what="billing"
    )
    change = {
        "address_line": "Hamngatan 5",
        "postal_code": "211 22",
        "city": "Malmö",
        "tax_id": "SE556600112201",
    }
    ok(staff.patch(f"/api/v1/customers/{customer['customer_id']}", json=change))
    eventually(
        lambda: asyncio.run(_billing_city(stack, customer["customer_id"])) == "Malmö" or None,
        what="billing to hear of the new address",
    )

    ok(staff.post("/api/v1/billing-runs", json={"as_of": "2026-01-15", "run_key": unique("buyer")}))

    [listed] = ok(staff.get("/api/v1/invoices", params={"contract_id": cid}))["items"]
    inv = ok(staff.get(f"/api/v1/invoices/{listed['invoice_id']}"))
    assert inv["buyer_address"] == ["Hamngatan 5", "211 22 Malmö", "SE"]
    assert inv["buyer_vat_no"] == "SE556600112201"
    contract_now = ok(staff.get(f"/api/v1/contracts/{cid}"))
    assert contract_now["version"] == contract["version"], "the contract was not touched"
