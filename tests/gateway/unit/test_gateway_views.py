"""What the public API shows: services' JSON as typed pages and objects, scoped to the user."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar.plugins.problem_details import ProblemDetailsException

from avtal_common.errors import NotFound
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import views

ACME, GLOBEX = uuid.uuid4(), uuid.uuid4()
STAFF = User(uuid.uuid4(), "staff@avtal.example", "staff")
ANN = User(uuid.uuid4(), "ann@acme.example", "customer", ACME)


def contract_json(customer_id: uuid.UUID) -> dict[str, Any]:
    item = {"item_id": str(uuid.uuid4()), "manufacturer_no": "M", "model": "X", "serial_no": "S1"}
    line = {"line_id": str(uuid.uuid4()), "sku": "SKU", "product_name": "Care", "annual_price": "10.00"}
    return {
        "contract_id": str(uuid.uuid4()),
        "contract_no": "C-000001",
        "customer_id": str(customer_id),
        "customer_name": "Acme",
        "currency": "SEK",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "billing_interval_months": 12,
        "status": "active",
        "version": 1,
        "annual_value": "10.00",
        "lines": [line | {"item": item}],
        "added_later": "a service may add fields",
    }


class FakeServices:
    """Answers each (service, path) with canned JSON and records the query it was asked."""

    def __init__(self, answers: dict[tuple[str, str], Any]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str, dict[str, Any]]] = []

    async def json(self, service: str, method: str, path: str, **kw: Any) -> Any:
        self.asked.append((service, path, kw.get("params") or {}))
        return self.answers[(service, path)]


def page_of(*items: Any, total: int | None = None) -> dict[str, Any]:
    return {"items": list(items), "total": len(items) if total is None else total, "limit": 100, "offset": 0}


async def test_a_services_page_becomes_typed_contracts_without_the_fields_the_api_does_not_declare() -> None:
    svc = FakeServices({("contracts", "/contracts/"): page_of(contract_json(ACME), total=7)})

    found = await views.contracts(svc, STAFF)  # type: ignore[arg-type]  # a fake of Services

    assert found.total == 7 and found.items[0].lines[0].item.serial_no == "S1"
    assert "added_later" not in found.items[0].model_dump()


async def test_a_customer_user_is_held_to_its_own_customer_whatever_it_asks_for() -> None:
    svc = FakeServices({("contracts", "/contracts/"): page_of()})

    await views.contracts(svc, ANN, customer_id=GLOBEX, limit=5, offset=10)  # type: ignore[arg-type]  # a fake

    assert svc.asked == [("contracts", "/contracts/", {"customer_id": ACME, "limit": 5, "offset": 10})]


async def test_another_customers_contract_is_reported_as_missing() -> None:
    theirs = contract_json(GLOBEX)
    svc = FakeServices({("contracts", f"/contracts/{theirs['contract_id']}"): theirs})

    with pytest.raises(NotFound):
        await views.contract(svc, ANN, uuid.UUID(theirs["contract_id"]))  # type: ignore[arg-type]  # a fake


async def test_an_answer_that_does_not_fit_the_public_model_is_the_services_failure_502() -> None:
    svc = FakeServices({("catalog", "/products/"): page_of({"sku": "no other fields"})})

    with pytest.raises(ProblemDetailsException) as refused:
        await views.products(svc)  # type: ignore[arg-type]  # a fake of Services

    assert refused.value.status_code == 502 and "catalog" in str(refused.value.title)
