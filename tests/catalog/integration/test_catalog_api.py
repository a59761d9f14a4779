"""The catalog's internal product list on the real stack: one Page at a time, with the total."""

from __future__ import annotations

import httpx

from avtal_testing.api import ok, unique
from avtal_testing.stack import StackInfo


def _headers(stack: StackInfo) -> dict[str, str]:
    # Internal routes need the service token once the stack has one (issue 5, "internal" work).
    token = getattr(stack, "service_token", None)
    return {"Authorization": f"Bearer {token}"} if token else {}


def _page(stack: StackInfo, **params: int) -> dict:
    return ok(httpx.get(f"{stack.services['catalog']}/products/", params=params, headers=_headers(stack)))


def test_the_product_list_pages_through_every_product_by_sku_with_the_total(stack: StackInfo) -> None:
    prefix = unique("ZZZ-PAGE")  # sorts after every other test's SKUs, so ours are the last three
    for n in range(3):
        body = {"sku": f"{prefix}-{n}", "name": "Paged", "annual_price": "1.00", "currency": "SEK"}
        ok(httpx.post(f"{stack.services['catalog']}/products/", json=body, headers=_headers(stack)))

    total = _page(stack, limit=1)["total"]
    first_two = _page(stack, limit=2, offset=total - 3)
    last = _page(stack, limit=2, offset=total - 1)

    assert (first_two["total"], first_two["limit"], first_two["offset"]) == (total, 2, total - 3)
    assert [p["sku"] for p in first_two["items"]] == [f"{prefix}-0", f"{prefix}-1"]
    assert [p["sku"] for p in last["items"]] == [f"{prefix}-2"]
    assert _page(stack, offset=total)["items"] == []


def test_a_limit_outside_1_to_1000_or_a_negative_offset_is_refused(stack: StackInfo) -> None:
    for params in ({"limit": 0}, {"limit": 1001}, {"offset": -1}):
        r = httpx.get(f"{stack.services['catalog']}/products/", params=params, headers=_headers(stack))
        assert r.status_code == 400, params
    assert _page(stack, limit=1000)["limit"] == 1000
