"""The contracts service's internal lists on the real stack: customers and a customer's contracts, paged."""

from __future__ import annotations

import httpx

from avtal_testing.api import make_customer_with_contract, ok
from avtal_testing.stack import StackInfo


def _get(stack: StackInfo, path: str, **params: object) -> dict:
    # Internal routes need the service token once the stack has one (issue 5, "internal" work).
    token = getattr(stack, "service_token", None)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return ok(httpx.get(f"{stack.services['contracts']}{path}", params=params, headers=headers))


def test_a_customers_contracts_are_paged_with_that_customers_total(
    stack: StackInfo, staff: httpx.Client
) -> None:
    first = make_customer_with_contract(staff)
    customer_id = first["customer"]["customer_id"]
    body = {  # the same machine, from the day after the first contract's last day
        "customer_id": customer_id,
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "lines": [{"sku": first["product"]["sku"], **first["item"]}],
    }
    second = ok(staff.post("/api/v1/contracts", json=body))

    pages = [_get(stack, "/contracts/", customer_id=customer_id, limit=1, offset=n) for n in range(3)]

    assert [p["total"] for p in pages] == [2, 2, 2]
    listed = [c for p in pages for c in p["items"]]
    # By contract number: the first contract was numbered first.
    assert [c["contract_id"] for c in listed] == [first["contract"]["contract_id"], second["contract_id"]]
    assert {c["customer_id"] for c in listed} == {customer_id}


def test_the_customer_list_pages_through_every_customer_with_the_total(
    stack: StackInfo, staff: httpx.Client
) -> None:
    ok(staff.post("/api/v1/customers", json={"name": "Paged AB", "email": "paged@example.com"}))

    total = _get(stack, "/customers/", limit=1)["total"]
    pages = [_get(stack, "/customers/", limit=1000, offset=n) for n in (0, total - 1, total)]

    assert [len(p["items"]) for p in pages] == [min(total, 1000), 1, 0]
    assert {p["total"] for p in pages} == {total}
