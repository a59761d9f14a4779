"""Out-of-bounds dates and intervals are a 400 whose problem details name the limit, at the gateway
and at the owning service alike (both validate with the shared command models)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from avtal_testing.api import make_customer_with_contract, unique
from avtal_testing.stack import StackInfo


@pytest.fixture(scope="module")
def contract_body(staff: httpx.Client) -> dict[str, Any]:
    made = make_customer_with_contract(staff)
    line = {"sku": made["product"]["sku"], "manufacturer_no": "M", "model": "X", "serial_no": unique("S")}
    return {"customer_id": made["customer"]["customer_id"], "start_date": "2026-01-01", "lines": [line]}


def _refused(r: httpx.Response, field: str, limit: str) -> None:
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert limit in problem["detail"] and problem["detail"].startswith(f"{field}: ")
    assert field in {e["key"] for e in problem["extra"]}


def test_a_two_hundred_year_contract_is_refused_naming_the_ten_year_limit(
    staff: httpx.Client, contract_body: dict[str, Any]
) -> None:
    r = staff.post("/api/v1/contracts", json=contract_body | {"end_date": "2225-12-31"})
    _refused(r, "end_date", "a contract term is at most 10 years: end_date must be before 2036-01-01")


def test_a_billing_run_as_of_2999_is_refused_naming_the_one_period_limit(staff: httpx.Client) -> None:
    r = staff.post("/api/v1/billing-runs", json={"as_of": "2999-01-01", "run_key": unique("run")})
    _refused(r, "as_of", "as_of may be at most one billing period (366 days) after today")


def test_a_contract_before_2000_or_billed_every_24_months_is_refused(
    staff: httpx.Client, contract_body: dict[str, Any]
) -> None:
    early = staff.post(
        "/api/v1/contracts", json=contract_body | {"start_date": "1999-12-01", "end_date": "2000-11-30"}
    )
    _refused(early, "start_date", "dates from 2000-01-01 to 2999-12-31 are accepted")
    every_two_years = contract_body | {"end_date": "2027-12-31", "billing_interval_months": 24}
    _refused(
        staff.post("/api/v1/contracts", json=every_two_years), "billing_interval_months", "1, 3, 6 or 12"
    )


def test_the_owning_services_enforce_the_same_bounds(stack: StackInfo, contract_body: dict[str, Any]) -> None:
    with stack.internal("contracts") as contracts:
        r = contracts.post("/contracts/", json=contract_body | {"end_date": "2225-12-31"})
    _refused(r, "end_date", "a contract term is at most 10 years")
    with stack.internal("billing") as billing:
        r = billing.post("/billing-runs/", json={"as_of": "2999-01-01"})
    _refused(r, "as_of", "at most one billing period (366 days) after today")
