"""Billing learns contracts from contract.created: one schedule per contract, however often it arrives."""

from __future__ import annotations

from datetime import date

import pytest
from billing.unit.fakes import FakeBillingDb
from billing.unit.samples import ON_CONTRACT_CREATED, contract_created

from avtal_common.errors import DomainError
from avtal_testing.fakes import deliver


async def test_the_same_contract_created_delivered_twice_builds_one_schedule() -> None:
    db = FakeBillingDb()
    event = contract_created(interval=3)

    outcomes = [await deliver(db.uow(), ON_CONTRACT_CREATED, event) for _ in range(2)]

    assert outcomes == ["handled", "duplicate"]
    assert db.contract_writes == 1, "the redelivered event must not reach the handler"
    schedule = await db.uow().schedules.of_contract(event.data.contract_id)
    assert [p.period_start for p in schedule] == [date(2026, m, 1) for m in (1, 4, 7, 10)]


async def test_an_older_version_arriving_after_a_newer_one_changes_nothing() -> None:
    db = FakeBillingDb()
    newer = contract_created(version=2, name="Nordic Freight Group AB")
    older = contract_created(
        version=1, name="Nordic Freight AB", start=date(2026, 2, 1), contract_id=newer.data.contract_id
    )

    await deliver(db.uow(), ON_CONTRACT_CREATED, newer)
    await deliver(db.uow(), ON_CONTRACT_CREATED, older)

    known = db.state.contracts[newer.data.contract_id]
    assert (known.customer_name, known.version) == ("Nordic Freight Group AB", 2)
    schedule = await db.uow().schedules.of_contract(newer.data.contract_id)
    assert [p.period_start for p in schedule] == [date(2026, 1, 1)], "the stale periods are not added"


async def test_a_contract_refused_by_the_schedule_rules_leaves_nothing_behind() -> None:
    db = FakeBillingDb()
    uow = db.uow()
    event = contract_created(start=date(2026, 5, 1), end=date(2026, 3, 31))

    with pytest.raises(DomainError, match="must be after start"):
        await deliver(uow, ON_CONTRACT_CREATED, event)

    assert uow.rollbacks == 1
    assert db.state.contracts == {} and db.state.periods == {}
    assert db.inbox.claims == set(), "the claim is rolled back too, so a fixed handler can apply it"
