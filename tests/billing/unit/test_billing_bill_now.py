"""Bill now (contract.bill_requested) against the fake billing store: one contract's due periods are
invoiced at once, once, whatever else is due and however often the request comes."""

from __future__ import annotations

import uuid
from datetime import date
from functools import partial

import pytest
from billing.unit.fakes import FakeBillingDb
from billing.unit.samples import contracts

from avtal_billing.handlers.bill_now import on_bill_requested
from avtal_common import topics
from avtal_common.consumer import EventHandler
from avtal_common.errors import NotFound
from avtal_common.outbox import new_envelope
from avtal_common.payloads.contracts import BillRequested
from avtal_testing.fakes import deliver

ON_BILL_REQUESTED = EventHandler(
    topics.CONTRACT_BILL_REQUESTED,
    BillRequested,
    "billing.on_bill_requested",
    partial(on_bill_requested, terms_days=30),
)


def _request(contract_id: uuid.UUID, as_of: date):
    data = BillRequested(
        contract_id=contract_id, contract_no="C-1", as_of=as_of, requested_by="staff@x.example"
    )
    return new_envelope(topics.CONTRACT_BILL_REQUESTED, "contracts", contract_id, data, 1)


async def test_bill_now_invoices_only_that_contracts_periods_due_by_as_of() -> None:
    db = FakeBillingDb()
    [wanted, other] = await contracts(db, 2, interval=3)

    await deliver(db.uow(), ON_BILL_REQUESTED, _request(wanted, date(2026, 4, 1)))

    [invoice] = db.invoices_of(wanted)  # one invoice with the periods starting by 1 April
    assert sorted({ln.billing_period_start for ln in invoice.lines}) == [date(2026, 1, 1), date(2026, 4, 1)]
    assert db.invoices_of(other) == []
    assert {i.issue_date for i in db.invoices_of(wanted)} == {date(2026, 4, 1)}


async def test_a_redelivered_request_and_a_second_request_make_no_second_invoice() -> None:
    db = FakeBillingDb()
    [cid] = await contracts(db, 1)
    first = _request(cid, date(2026, 1, 15))

    outcomes = [
        await deliver(db.uow(), ON_BILL_REQUESTED, e)
        for e in (first, first, _request(cid, date(2026, 1, 15)))
    ]

    assert outcomes == ["handled", "duplicate", "handled"]
    assert [i.period_start for i in db.invoices_of(cid)] == [date(2026, 1, 1)]


async def test_a_request_for_a_contract_billing_does_not_know_yet_waits() -> None:
    db = FakeBillingDb()

    with pytest.raises(NotFound):
        await deliver(db.uow(), ON_BILL_REQUESTED, _request(uuid.uuid4(), date(2026, 1, 15)))

    assert db.state.invoices == []
