"""Billing runs with the fake unit of work: one invoice per period, failures isolated and retried."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from billing.unit.fakes import FakeBillingDb
from billing.unit.samples import contracts, run

from avtal_billing.handlers.billing_runs import run_billing
from avtal_common.errors import DomainError

# A run that never finishes (the bug this shape fixes) fails here rather than hanging.
pytestmark = pytest.mark.timeout(20)


def _numbers(db: FakeBillingDb) -> list[str]:
    return sorted(i.invoice_no for i in db.state.invoices)


def _billed_periods(db: FakeBillingDb) -> list[tuple[object, date]]:
    return [(i.contract_id, i.period_start) for i in db.state.invoices]


async def test_a_run_bills_each_due_period_once_with_gapless_numbers() -> None:
    db = FakeBillingDb()
    ids = await contracts(db, 3)
    # Invoiced 30 days (the payment terms) before they start: 2026-01-30, after as_of.
    await contracts(db, 2, start=date(2026, 3, 1), end=date(2027, 2, 28))

    result = await run_billing(db.uow, run(as_of=date(2026, 1, 15)))

    assert sorted(i.contract_id for i in db.state.invoices) == sorted(ids)
    assert _numbers(db) == ["INV-2026-000001", "INV-2026-000002", "INV-2026-000003"]
    assert (result.invoices_created, result.failed, result.finished) == (3, 0, True)
    inv = db.invoices_of(ids[0])[0]
    assert (inv.net, inv.vat, inv.total) == (1200, 300, 1500)
    assert (inv.issue_date, inv.due_date) == (date(2026, 1, 15), date(2026, 2, 14))


async def test_the_same_key_again_bills_nothing_new_even_what_became_due_since() -> None:
    db = FakeBillingDb()
    first = await contracts(db, 2)
    await run_billing(db.uow, run("k"))
    later = await contracts(db, 1)

    again = await run_billing(db.uow, run("k"))

    assert sorted(c for c, _ in _billed_periods(db)) == sorted(first)
    assert (again.invoices_created, again.rounds) == (2, 2)
    assert (await run_billing(db.uow, run("next"))).invoices_created == 1
    assert len(db.invoices_of(later[0])) == 1


async def test_a_period_whose_invoice_fails_is_recorded_on_the_run_and_the_others_are_billed() -> None:
    db = FakeBillingDb()
    ids = await contracts(db, 40)
    bad = {ids[3]: "check constraint refused the address", ids[29]: "trigger refused the contract"}
    db.refuse.update(bad)

    result = await run_billing(db.uow, run())

    assert sorted(c for c, _ in _billed_periods(db)) == sorted(set(ids) - set(bad))
    assert _numbers(db) == [f"INV-2026-{n:06d}" for n in range(1, 39)], "numbers stay gapless"
    assert (result.invoices_created, result.failed, result.finished) == (38, 2, True)
    assert {f.contract_id: f.reason for f in result.open_failures} == bad
    assert {f.period_start for f in result.open_failures} == {date(2026, 1, 1)}


async def test_the_same_key_after_the_cause_is_fixed_bills_exactly_the_failed_periods() -> None:
    db = FakeBillingDb()
    ids = await contracts(db, 5)
    db.refuse[ids[1]] = "refused"
    await run_billing(db.uow, run("k"))
    db.refuse.clear()
    newcomer = await contracts(db, 1)

    retried = await run_billing(db.uow, run("k"))

    assert [c for c, _ in _billed_periods(db)][-1] == ids[1]
    assert len(db.state.invoices) == 5 and db.invoices_of(newcomer[0]) == []
    assert db.invoices_of(ids[1])[0].invoice_no == "INV-2026-000005"
    assert (retried.invoices_created, retried.failed, retried.open_failures) == (5, 0, ())


async def test_a_period_still_failing_on_retry_keeps_its_failure_with_one_more_attempt() -> None:
    db = FakeBillingDb()
    ids = await contracts(db, 2)
    db.refuse[ids[0]] = "still refused"
    await run_billing(db.uow, run("k"))

    retried = await run_billing(db.uow, run("k"))

    assert [(f.contract_id, f.attempts) for f in retried.open_failures] == [(ids[0], 2)]
    assert db.invoices_of(ids[0]) == [] and retried.invoices_created == 1


async def test_a_new_run_bills_what_an_earlier_run_failed_on() -> None:
    db = FakeBillingDb()
    [cid] = await contracts(db, 1)
    db.refuse[cid] = "refused"
    failed = await run_billing(db.uow, run("monday"))
    db.refuse.clear()

    await run_billing(db.uow, run("tuesday"))

    assert len(db.invoices_of(cid)) == 1
    assert (await db.uow().runs.get("monday")).failed == 0, "a failure is resolved once its period is billed"
    assert failed.failed == 1


@pytest.mark.parametrize(
    ("as_of", "message"),
    [(date(2999, 1, 1), "more than 366 days after today"), (date(1999, 1, 1), "years back")],
)
async def test_a_run_dated_out_of_bounds_is_refused_and_writes_nothing(as_of: date, message: str) -> None:
    db = FakeBillingDb()
    await contracts(db, 2)

    with pytest.raises(DomainError, match=message):
        await run_billing(db.uow, run(as_of=as_of))

    assert (db.state.runs, db.state.invoices, db.state.sequences) == ({}, [], {})


async def test_a_run_makes_one_invoice_per_customer_gathering_its_contracts_or_one_per_contract() -> None:
    db = FakeBillingDb()
    customer = uuid.uuid4()
    mine = await contracts(db, 2, customer_id=customer)
    other = await contracts(db, 1)

    by_customer = await run_billing(db.uow, run("customers"))

    [gathered] = [i for i in db.state.invoices if i.customer_id == customer]
    assert {ln.contract_id for ln in gathered.lines} == set(mine) and gathered.contract_id is None
    assert gathered.total == sum(
        (i.total for i in db.state.invoices if i.customer_id == customer), Decimal(0)
    )
    assert by_customer.invoices_created == 2 and len(db.invoices_of(other[0])) == 1

    db2 = FakeBillingDb()
    await contracts(db2, 2, customer_id=customer)
    per_contract = await run_billing(db2.uow, replace(run("contracts"), invoice_per="contract"))
    assert per_contract.invoices_created == 2 and all(i.contract_id for i in db2.state.invoices)


async def test_one_refused_contract_of_a_customer_fails_alone_and_its_other_contract_is_still_billed() -> (
    None
):
    db = FakeBillingDb()
    customer = uuid.uuid4()
    good, bad = await contracts(db, 2, customer_id=customer)
    db.refuse[bad] = "refused"

    result = await run_billing(db.uow, run())

    assert [i.contract_id for i in db.state.invoices] == [good]
    assert [f.contract_id for f in result.open_failures] == [bad]
    assert _numbers(db) == ["INV-2026-000001"], "numbers stay gapless"
