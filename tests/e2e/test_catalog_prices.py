"""Issue 7 on the real stack: product search, dated price lists and the price update tool, end to end."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from avtal_testing.api import eventually, make_customer_with_contract, ok, signed_in, unique
from avtal_testing.stack import StackInfo

TODAY = date.today()
FUTURE = TODAY + timedelta(days=45)


def _product(staff: httpx.Client, name: str, models: list[str], category: str, price: str = "1000.00") -> Any:
    body = {"sku": unique("CAT"), "name": name, "annual_price": price, "manufacturer": "Dell",
            "models": models, "category": category, "maintenance_level": None}  # fmt: skip
    return ok(staff.post("/api/v1/products", json=body))


def _lists(staff: httpx.Client) -> tuple[str, str]:
    vendor, distributor = unique("V").upper(), unique("D").upper()
    ok(staff.post("/api/v1/parties", json={"kind": "vendor", "code": vendor, "name": "Dell"}))
    ok(staff.post("/api/v1/parties", json={"kind": "distributor", "code": distributor, "name": "Ingram"}))
    return vendor, distributor


def _price(
    staff: httpx.Client, product: Any, party: str, price: str, start: date, end: date | None = None
) -> Any:
    body = {"party_code": party, "list_price": price, "effective_from": start.isoformat(),
            "effective_to": end.isoformat() if end else None}  # fmt: skip
    return staff.post(f"/api/v1/products/{product['product_id']}/prices", json=body)


def _history(staff: httpx.Client, product: Any) -> list[dict[str, Any]]:
    return ok(staff.get(f"/api/v1/products/{product['product_id']}/prices"))


def _in_force(history: list[dict[str, Any]], party: str, day: date) -> str:
    [e] = [e for e in history if e["party_code"] == party and date.fromisoformat(e["effective_from"]) <= day
           and (e["effective_to"] is None or day <= date.fromisoformat(e["effective_to"]))]  # fmt: skip
    return str(e["list_price"])


def _preview(staff: httpx.Client, selection: dict[str, Any], rule: dict[str, Any], start: date) -> Any:
    body = {"selection": selection, "rule": rule, "effective_from": start.isoformat()}
    return ok(staff.post("/api/v1/price-jobs", json=body))


def _rows(staff: httpx.Client, job: Any) -> list[dict[str, Any]]:
    return ok(staff.get(f"/api/v1/price-jobs/{job['job_id']}/rows", params={"limit": 1000}))["items"]


@pytest.fixture(scope="module")
def priced(staff: httpx.Client) -> dict[str, Any]:
    """Three products, each on a vendor and a distributor list since the start of last year."""
    category = unique("cat")
    vendor, distributor = _lists(staff)
    products = [_product(staff, f"Dell PowerEdge R7{n}0 Gold care", [f"R7{n}0"], category) for n in (4, 5, 6)]
    start = date(TODAY.year - 1, 1, 1)
    for n, p in enumerate(products):
        ok(_price(staff, p, vendor, f"{1000 + 111 * n}.00", start))
        ok(_price(staff, p, distributor, f"{800 + 37 * n}.50", start))
    return {"category": category, "vendor": vendor, "distributor": distributor, "products": products}


def test_search_finds_a_product_from_a_typo_and_from_the_model_alone(
    staff: httpx.Client, stack: StackInfo
) -> None:
    category = unique("srch")
    product = _product(staff, "Dell PowerEdge R740", ["R740", "R740xd"], category)

    def skus(client: httpx.Client, **params: str) -> list[str]:
        found = ok(client.get("/api/v1/products/search", params={**params, "category": category}))
        return [p["sku"] for p in found["items"]]

    with signed_in(stack.portal_url, stack.customer_email, stack.customer_password) as customer:
        for client in (staff, customer):
            assert skus(client, q="poweredge r47") == [product["sku"]]
            assert skus(client, q="R740") == [product["sku"]]
            assert skus(client, q="powredge") == [product["sku"]]
            assert skus(client, q="R740", model="R740xd", manufacturer="dell") == [product["sku"]]
            assert skus(client, q=product["sku"]) == [product["sku"]]
            assert skus(client, q="precision") == []


def test_a_search_word_with_a_control_character_is_a_400_naming_the_parameter(staff: httpx.Client) -> None:
    for name in ("q", "manufacturer", "model", "category"):
        r = staff.get("/api/v1/products/search", params={name: "Dell\x00"})
        assert r.status_code == 400 and name in r.text, (name, r.status_code, r.text)


def test_what_the_preview_shows_is_exactly_what_apply_writes_and_revert_restores_it_all(
    staff: httpx.Client, priced: dict[str, Any]
) -> None:
    before = {p["sku"]: _history(staff, p) for p in priced["products"]}
    rule = {"change": "percent", "value": "7.5", "rounding": "0.99"}
    job = _preview(staff, {"category": priced["category"]}, rule, TODAY)
    preview = _rows(staff, job)

    applied = ok(staff.post(f"/api/v1/price-jobs/{job['job_id']}/apply"))
    after = {p["sku"]: _history(staff, p) for p in priced["products"]}
    reverted = ok(staff.post(f"/api/v1/price-jobs/{job['job_id']}/revert"))

    assert job["row_count"] == len(preview) == 6
    written = {
        (r["sku"], r["party_code"]): _in_force(after[r["sku"]], r["party_code"], TODAY) for r in preview
    }
    assert written == {(r["sku"], r["party_code"]): r["new_price"] for r in preview}
    assert all(Decimal(r["new_price"]) % 1 == Decimal("0.99") for r in preview)
    assert (applied["status"], applied["applied_by"]) == ("applied", staff_email(staff))
    assert reverted["status"] == "reverted"
    assert {p["sku"]: _history(staff, p) for p in priced["products"]} == before


def staff_email(client: httpx.Client) -> str:
    return str(ok(client.get("/api/v1/me"))["email"])


def test_a_future_effective_date_changes_the_price_only_from_that_day(
    staff: httpx.Client, priced: dict[str, Any]
) -> None:
    [product, *_] = priced["products"]
    vendor = priced["vendor"]
    old = _in_force(_history(staff, product), vendor, TODAY)
    rule = {"change": "amount", "value": "100", "rounding": "1"}
    job = _preview(staff, {"vendor": vendor, "skus": [product["sku"]]}, rule, FUTURE)
    ok(staff.post(f"/api/v1/price-jobs/{job['job_id']}/apply"))

    history = _history(staff, product)
    assert _in_force(history, vendor, TODAY) == old
    assert _in_force(history, vendor, FUTURE - timedelta(days=1)) == old
    assert Decimal(_in_force(history, vendor, FUTURE)) == Decimal(old) + 100
    ok(staff.post(f"/api/v1/price-jobs/{job['job_id']}/revert"))


def test_an_overlapping_price_is_refused_naming_the_other_entrys_dates(
    staff: httpx.Client, priced: dict[str, Any]
) -> None:
    [product, *_] = priced["products"]

    r = _price(staff, product, priced["vendor"], "5.00", TODAY, TODAY + timedelta(days=10))

    assert r.status_code == 409, r.text
    assert f"{TODAY.year - 1}-01-01 to open-ended" in r.json()["detail"]


def test_a_customer_can_search_but_cannot_change_prices(stack: StackInfo, priced: dict[str, Any]) -> None:
    body = {"selection": {"category": priced["category"]}, "rule": {"change": "percent", "value": "50"},
            "effective_from": TODAY.isoformat()}  # fmt: skip
    product = priced["products"][0]
    with signed_in(stack.portal_url, stack.customer_email, stack.customer_password) as customer:
        assert customer.get("/api/v1/products/search", params={"q": "poweredge"}).status_code == 200
        assert customer.post("/api/v1/price-jobs", json=body).status_code == 403
        assert customer.get(f"/api/v1/products/{product['product_id']}/prices").status_code == 403
        assert customer.post(f"/api/v1/products/{product['product_id']}/retire").status_code == 403


def test_price_changed_carries_old_new_date_and_job_and_contracts_keeps_it(
    staff: httpx.Client, stack: StackInfo
) -> None:
    made = make_customer_with_contract(staff, price="2000.00", start=TODAY.isoformat(),
                                       end=(TODAY + timedelta(days=364)).isoformat())  # fmt: skip
    product = made["product"]
    vendor, _ = _lists(staff)
    ok(_price(staff, product, vendor, "1000.00", date(TODAY.year - 1, 1, 1)))

    job = _preview(staff, {"skus": [product["sku"]]}, {"change": "index", "value": "1.042"}, FUTURE)
    ok(staff.post(f"/api/v1/price-jobs/{job['job_id']}/apply"))

    # The contract line's 2000.00 a year follows the list's +4.2 %: 84.00.
    assert job["revenue_impact"] == {"SEK": "84.00"}
    with stack.internal("contracts") as contracts:
        [seen] = eventually(
            lambda: ok(contracts.get(f"/products/{product['product_id']}/price-changes")),
            what="contracts to receive catalog.price.changed",
        )
    assert (seen["job_id"], seen["effective_from"]) == (job["job_id"], FUTURE.isoformat())
    assert (seen["party_code"], seen["old_price"], seen["new_price"]) == (vendor, "1000.00", "1042.00")
    assert seen["reverted"] is False
