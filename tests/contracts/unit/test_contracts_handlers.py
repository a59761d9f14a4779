"""Contracts use cases and event handlers against the fake unit of work: what is written, what is not."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from contracts.unit.fakes import FakeContractsUnitOfWork

from avtal_common.errors import DomainError, NotFound
from avtal_common.outbox import new_envelope
from avtal_common.payloads.catalog import PriceChange, PriceChanged, ProductUpserted
from avtal_common.payloads.contracts import ContractState
from avtal_common.topics import (
    CATALOG_PRICE_CHANGED,
    CATALOG_PRODUCT_UPSERTED,
    CONTRACT_CREATED,
    CONTRACT_STATE,
)
from avtal_contracts.consumers import HANDLERS
from avtal_contracts.domain.commands import ContractLineRequest, CreateContract, RegisterCustomer
from avtal_contracts.domain.contracts import Terms
from avtal_contracts.domain.customers import new_customer
from avtal_contracts.domain.items import new_item
from avtal_contracts.domain.products import ProductInfo
from avtal_contracts.handlers.contracts import create_contract
from avtal_contracts.handlers.customers import register_customer
from avtal_testing.fakes import deliver

ON_PRODUCT_UPSERTED, ON_PRICE_CHANGED = HANDLERS[:2]
PRODUCT_ID = uuid.uuid4()
CARE = ProductInfo(PRODUCT_ID, "PRN-CARE", "Printer care", Decimal("1200.00"), "SEK", True, 1)
ACME = new_customer("Acme AB", "billing@acme.example", "sv")
GLOBEX = new_customer("Globex AB", "billing@globex.example")


def _upserted(version: int, name: str = "Printer care"):
    data = ProductUpserted(
        product_id=PRODUCT_ID, sku="PRN-CARE", name=name, annual_price=Decimal("1200.00"), currency="SEK"
    )
    return new_envelope(CATALOG_PRODUCT_UPSERTED, "catalog", PRODUCT_ID, data, version)


def _line(serial: str, sku: str = "PRN-CARE") -> ContractLineRequest:
    return ContractLineRequest(sku, "HP-123", "LaserJet 4000", serial)


def _contract(*lines: ContractLineRequest, customer_id: uuid.UUID = ACME.customer_id) -> CreateContract:
    return CreateContract(customer_id, "SEK", date(2025, 1, 1), date(2025, 12, 31), Terms(3), lines)


def _known_world() -> FakeContractsUnitOfWork:
    uow = FakeContractsUnitOfWork()
    uow.products.rows[PRODUCT_ID] = CARE
    uow.customers.rows.update({ACME.customer_id: ACME, GLOBEX.customer_id: GLOBEX})
    return uow


async def _create(uow: FakeContractsUnitOfWork, cmd: CreateContract):
    async with uow:
        return await create_contract(uow, cmd)


# --- catalog.product.upserted ----------------------------------------------------------------


async def test_the_same_product_event_delivered_twice_is_stored_once() -> None:
    uow, event = FakeContractsUnitOfWork(), _upserted(1)

    outcomes = [await deliver(uow, ON_PRODUCT_UPSERTED, event) for _ in range(2)]

    assert outcomes == ["handled", "duplicate"]
    assert uow.products.rows == {PRODUCT_ID: CARE}
    assert uow.products.saves == 1


async def test_a_newer_product_version_replaces_the_known_one() -> None:
    uow = FakeContractsUnitOfWork()

    await deliver(uow, ON_PRODUCT_UPSERTED, _upserted(1))
    await deliver(uow, ON_PRODUCT_UPSERTED, _upserted(2, "Printer care plus"))

    assert (uow.products.rows[PRODUCT_ID].name, uow.products.rows[PRODUCT_ID].version) == (
        "Printer care plus",
        2,
    )


@pytest.mark.parametrize("late", [1, 2])
async def test_a_product_event_older_than_the_known_version_changes_nothing(late: int) -> None:
    uow = FakeContractsUnitOfWork()
    await deliver(uow, ON_PRODUCT_UPSERTED, _upserted(2, "Printer care plus"))

    assert await deliver(uow, ON_PRODUCT_UPSERTED, _upserted(late, "Stale name")) == "handled"

    assert uow.products.rows[PRODUCT_ID].name == "Printer care plus"
    assert uow.products.saves == 1


# --- registering customers -------------------------------------------------------------------


async def test_a_registered_customer_is_stored_and_its_state_published_for_billing() -> None:
    uow = FakeContractsUnitOfWork()

    async with uow:
        customer = await register_customer(uow, RegisterCustomer("Acme AB", "a@acme.example", "sv"))

    assert uow.customers.rows == {customer.customer_id: customer}
    assert (customer.name, customer.email, customer.locale) == ("Acme AB", "a@acme.example", "sv")
    [event] = uow.outbox.events
    assert (event.topic, event.aggregate_id, event.version) == (
        "customer.state",
        str(customer.customer_id),
        1,
    )
    assert event.data.customer.name == "Acme AB"


async def test_registering_an_external_reference_again_answers_the_known_customer() -> None:
    uow = FakeContractsUnitOfWork()

    async with uow:
        first = await register_customer(uow, RegisterCustomer("Acme AB", "a@acme.example", external_ref="K1"))
        again = await register_customer(uow, RegisterCustomer("Acme", "b@acme.example", external_ref="K1"))

    assert again == first
    assert list(uow.customers.rows) == [first.customer_id]


async def test_customers_without_an_external_reference_are_always_new() -> None:
    uow = FakeContractsUnitOfWork()

    async with uow:
        for _ in range(2):
            await register_customer(uow, RegisterCustomer("Acme AB", "a@acme.example"))

    assert len(uow.customers.rows) == 2


# --- creating contracts ----------------------------------------------------------------------


async def test_a_created_contract_is_stored_with_its_new_items_and_published_once() -> None:
    uow = _known_world()

    contract = await _create(uow, _contract(_line("SN-1"), _line("SN-2")))

    assert list(uow.contracts.rows.values()) == [contract]
    assert sorted(i.serial_no for i in uow.items.rows.values()) == ["SN-1", "SN-2"]
    assert {i.customer_id for i in uow.items.rows.values()} == {ACME.customer_id}
    state, fact = uow.outbox.events
    assert [(e.topic, e.aggregate_id, e.version) for e in (state, fact)] == [
        (CONTRACT_STATE, str(contract.contract_id), 1),
        (CONTRACT_CREATED, str(contract.contract_id), 1),
    ]
    assert [ln.item.serial_no for ln in fact.data.lines] == ["SN-1", "SN-2"]
    assert uow.contracts.audit_log == [(contract.contract_id, "created", {"lines": 2})]


async def test_the_state_published_beside_the_fact_carries_the_whole_contract() -> None:
    uow = _known_world()

    contract = await _create(uow, _contract(_line("SN-1"), _line("SN-2")))

    state, fact = (e.data for e in uow.outbox.events)
    assert isinstance(state, ContractState)
    assert (state.contract_no, state.customer.customer_id, state.status) == (
        contract.contract_no,
        ACME.customer_id,
        "active",
    )
    assert (state.start_date, state.end_date, state.billing_interval_months, state.currency) == (
        contract.start_date,
        contract.end_date,
        contract.billing_interval_months,
        contract.currency,
    )
    assert [(ln.item.serial_no, ln.sku, ln.annual_price) for ln in state.lines] == [
        (ln.item.serial_no, ln.product.sku, ln.annual_price) for ln in contract.lines
    ]
    created = fact.model_dump()
    assert {k: v for k, v in state.model_dump().items() if k in created} == created, "the fact agrees"


async def test_a_machine_already_covered_for_the_customer_is_reused_not_registered_again() -> None:
    uow = _known_world()

    first = await _create(uow, _contract(_line("SN-1")))
    second = await _create(uow, _contract(_line("SN-1")))

    assert len(uow.items.rows) == 1
    assert second.lines[0].item == first.lines[0].item


async def test_two_lines_on_one_new_machine_register_the_machine_once() -> None:
    uow = _known_world()
    first_half = replace(_line("SN-1"), end_date=date(2025, 6, 30))
    second_half = replace(_line("SN-1"), start_date=date(2025, 7, 1), annual_price=Decimal("1300.00"))

    contract = await _create(uow, _contract(first_half, second_half))

    assert len(uow.items.rows) == 1
    assert contract.lines[0].item == contract.lines[1].item


async def test_one_machine_twice_on_a_contract_for_the_same_days_is_refused_and_writes_nothing() -> None:
    uow = _known_world()

    with pytest.raises(DomainError, match=r"SN-1 is twice on this contract for 2025-01-01\.\.2025-12-31"):
        await _create(uow, _contract(_line("SN-1"), _line("SN-1")))

    assert (uow.contracts.rows, uow.outbox.events) == ({}, [])


async def test_a_contract_for_an_unknown_customer_writes_nothing() -> None:
    uow = _known_world()

    with pytest.raises(NotFound, match="customer"):
        await _create(uow, _contract(_line("SN-1"), customer_id=uuid.uuid4()))

    assert (uow.contracts.rows, uow.items.rows, uow.outbox.events) == ({}, {}, [])


async def test_a_contract_covering_another_customers_machine_writes_nothing() -> None:
    uow = _known_world()
    theirs = new_item(GLOBEX.customer_id, "HP-123", "LaserJet 4000", "SN-9")
    uow.items.rows[theirs.item_id] = theirs

    with pytest.raises(DomainError, match="belongs to another customer"):
        await _create(uow, _contract(_line("SN-1"), _line("SN-9")))

    assert uow.contracts.rows == {}
    assert uow.items.rows == {theirs.item_id: theirs}  # SN-1, registered on the way, is rolled back
    assert (uow.outbox.events, uow.contracts.audit_log) == ([], [])


async def test_a_contract_with_a_product_not_in_the_catalog_writes_nothing() -> None:
    uow = _known_world()

    with pytest.raises(NotFound, match="NO-SUCH-SKU"):
        await _create(uow, _contract(_line("SN-1"), _line("SN-2", sku="NO-SUCH-SKU")))

    assert (uow.contracts.rows, uow.items.rows, uow.outbox.events) == ({}, {}, [])


async def test_a_contract_refused_by_its_terms_writes_nothing() -> None:
    uow = _known_world()
    backwards = CreateContract(
        ACME.customer_id, "SEK", date(2025, 1, 1), date(2024, 1, 1), Terms(3), (_line("SN-1"),)
    )

    with pytest.raises(DomainError, match="end_date"):
        await _create(uow, backwards)

    assert (uow.contracts.rows, uow.items.rows, uow.outbox.events) == ({}, {}, [])


# --- catalog.price.changed -------------------------------------------------------------------


async def test_a_price_change_is_kept_once_per_list_however_often_it_is_delivered() -> None:
    job = uuid.uuid4()
    prices = [
        PriceChange(party_code=code, party_kind=kind, currency="SEK", old_price=old, new_price=new)
        for code, kind, old, new in [("HP", "vendor", Decimal("1200.00"), Decimal("1259.00")),
                                     ("INGRAM", "distributor", Decimal("980.00"), Decimal("1029.00"))]
    ]  # fmt: skip
    data = PriceChanged(product_id=PRODUCT_ID, sku="PRN-CARE", job_id=job, effective_from=date(2027, 1, 1),
                        prices=prices)  # fmt: skip
    event = new_envelope(CATALOG_PRICE_CHANGED, "catalog", PRODUCT_ID, data, 1)
    uow = FakeContractsUnitOfWork()

    outcomes = [await deliver(uow, ON_PRICE_CHANGED, event) for _ in range(2)]

    assert outcomes == ["handled", "duplicate"]
    kept = {(k[2], r[6], r[7], r[8]) for k, r in uow.product_prices.rows.items() if k[1] == job}
    assert kept == {
        ("HP", Decimal("1200.00"), Decimal("1259.00"), date(2027, 1, 1)),
        ("INGRAM", Decimal("980.00"), Decimal("1029.00"), date(2027, 1, 1)),
    }
