"""Billing keeps the newest state of each contract (contract.state, upserted by version) and rebuilds
the periods not yet invoiced from it, whatever order the states arrive in."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from billing.unit.fakes import FakeBillingDb
from billing.unit.samples import ON_CONTRACT_STATE, contract_state, run

from avtal_billing.handlers.billing_runs import run_billing
from avtal_common.errors import DomainError, NotFound
from avtal_testing.fakes import deliver


async def _schedule(db: FakeBillingDb, contract_id: uuid.UUID) -> list[tuple[date, Decimal, bool]]:
    """(start, amount, invoiced) of each period."""
    periods = await db.uow().schedules.of_contract(contract_id)
    return [(p.period_start, p.amount, p.invoice_id is not None) for p in periods]


async def test_the_same_state_delivered_twice_builds_one_schedule() -> None:
    db = FakeBillingDb()
    event = contract_state(interval=3)

    outcomes = [await deliver(db.uow(), ON_CONTRACT_STATE, event) for _ in range(2)]

    assert outcomes == ["handled", "duplicate"]
    assert db.contract_writes == 1, "the redelivered event must not reach the handler"
    schedule = await db.uow().schedules.of_contract(event.data.contract_id)
    assert [p.period_start for p in schedule] == [date(2026, m, 1) for m in (1, 4, 7, 10)]


async def test_an_older_version_arriving_after_a_newer_one_changes_nothing() -> None:
    db = FakeBillingDb()
    newer = contract_state(version=2, name="Nordic Freight Group AB", interval=6, price="2400.00")
    older = contract_state(
        version=1, name="Nordic Freight AB", start=date(2026, 2, 1), contract_id=newer.data.contract_id
    )

    await deliver(db.uow(), ON_CONTRACT_STATE, newer)
    await deliver(db.uow(), ON_CONTRACT_STATE, older)

    known = db.state.contracts[newer.data.contract_id]
    assert (known.customer_name, known.version) == ("Nordic Freight Group AB", 2)
    assert await _schedule(db, newer.data.contract_id) == [
        (date(2026, 1, 1), Decimal("1200.00"), False),
        (date(2026, 7, 1), Decimal("1200.00"), False),
    ], "the schedule is version 2's: half-yearly at 2400 a year"


async def test_another_state_of_the_same_version_changes_nothing() -> None:
    """A republished state is a new event (a new inbox claim) of a version already applied."""
    db = FakeBillingDb()
    first = contract_state(version=1, price="1200.00")
    again = contract_state(version=1, price="9999.00", name="Other AB", contract_id=first.data.contract_id)

    await deliver(db.uow(), ON_CONTRACT_STATE, first)
    assert await deliver(db.uow(), ON_CONTRACT_STATE, again) == "handled"

    assert db.state.contracts[first.data.contract_id].customer_name == "Nordic Freight AB"
    assert await _schedule(db, first.data.contract_id) == [(date(2026, 1, 1), Decimal("1200.00"), False)]


async def test_a_newer_version_replaces_the_copy_and_rebuilds_the_schedule() -> None:
    db = FakeBillingDb()
    v1 = contract_state(version=1, interval=3, price="1200.00")
    cid, customer_id = v1.data.contract_id, v1.data.customer.customer_id
    v2 = contract_state(
        version=2, interval=6, price="2400.00", name="Renamed AB", contract_id=cid, customer_id=customer_id
    )

    await deliver(db.uow(), ON_CONTRACT_STATE, v1)
    await deliver(db.uow(), ON_CONTRACT_STATE, v2)

    assert (db.state.contracts[cid].customer_name, db.state.contracts[cid].version) == ("Renamed AB", 2)
    assert await _schedule(db, cid) == [
        (date(2026, 1, 1), Decimal("1200.00"), False),
        (date(2026, 7, 1), Decimal("1200.00"), False),
    ]


async def test_a_newer_version_keeps_invoiced_periods_and_reprices_only_the_rest() -> None:
    """Quarterly at 1200 a year is 300 a quarter; from version 2 on, 2400 a year is 600 a quarter."""
    db = FakeBillingDb()
    v1 = contract_state(version=1, interval=3, price="1200.00")
    cid = v1.data.contract_id
    await deliver(db.uow(), ON_CONTRACT_STATE, v1)
    await run_billing(db.uow, run(as_of=date(2026, 1, 15)))

    await deliver(
        db.uow(), ON_CONTRACT_STATE, contract_state(version=2, interval=3, price="2400.00", contract_id=cid)
    )

    assert await _schedule(db, cid) == [
        (date(2026, 1, 1), Decimal("300.00"), True),
        (date(2026, 4, 1), Decimal("600.00"), False),
        (date(2026, 7, 1), Decimal("600.00"), False),
        (date(2026, 10, 1), Decimal("600.00"), False),
    ]
    first, *settled = db.invoices_of(cid)
    assert first.net == Decimal("300.00"), "the invoice is not touched"
    # The new state prices the invoiced quarter at 600: its old line is credited, the new one charged.
    assert sorted((i.kind, i.net) for i in settled) == [
        ("credit_note", Decimal("-300.00")),
        ("invoice", Decimal("600.00")),
    ]


async def test_a_shortened_term_drops_the_periods_after_its_new_end() -> None:
    db = FakeBillingDb()
    v1 = contract_state(version=1, interval=3)
    cid = v1.data.contract_id
    await deliver(db.uow(), ON_CONTRACT_STATE, v1)

    await deliver(
        db.uow(),
        ON_CONTRACT_STATE,
        contract_state(version=2, interval=3, end=date(2026, 6, 30), contract_id=cid),
    )

    assert [start for start, _, _ in await _schedule(db, cid)] == [date(2026, 1, 1), date(2026, 4, 1)]


async def test_a_draft_has_no_schedule_until_a_newer_state_makes_it_billable() -> None:
    db = FakeBillingDb()
    draft = contract_state(version=1, status="draft")
    cid = draft.data.contract_id

    await deliver(db.uow(), ON_CONTRACT_STATE, draft)
    with pytest.raises(NotFound):
        await db.uow().schedules.of_contract(cid)
    await deliver(db.uow(), ON_CONTRACT_STATE, contract_state(version=2, contract_id=cid))

    assert await _schedule(db, cid) == [(date(2026, 1, 1), Decimal("1200.00"), False)]


async def test_a_contract_refused_by_the_schedule_rules_leaves_nothing_behind() -> None:
    db = FakeBillingDb()
    uow = db.uow()
    event = contract_state(start=date(2026, 5, 1), end=date(2026, 3, 31))

    with pytest.raises(DomainError, match="must be after start"):
        await deliver(uow, ON_CONTRACT_STATE, event)

    assert uow.rollbacks == 1
    assert db.state.contracts == {} and db.state.periods == {}
    assert db.inbox.claims == set(), "the claim is rolled back too, so a fixed handler can apply it"
