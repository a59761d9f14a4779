"""The calendar's use cases with fakes: reruns send nothing twice, renewals happen once."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from contracts.unit.fakes import FakeContractsUnitOfWork

from avtal_common.outbox import new_envelope
from avtal_common.payloads.contracts import RenewalAccepted
from avtal_common.topics import (
    CONTRACT_AMENDED,
    CONTRACT_CREATED,
    CONTRACT_EXPIRED,
    CONTRACT_EXPIRING,
    CONTRACT_RENEWED,
    CONTRACT_STATE,
    RENEWAL_ACCEPTED,
)
from avtal_contracts.consumers import HANDLERS
from avtal_contracts.domain.contracts import Contract, LineRequest, Terms, open_contract
from avtal_contracts.domain.customers import new_customer
from avtal_contracts.domain.items import new_item
from avtal_contracts.domain.products import ProductInfo
from avtal_contracts.handlers.calendar import RunCalendar, run_calendar
from avtal_testing.fakes import deliver

ACME = new_customer("Acme AB", "billing@acme.example", "sv")
CARE = ProductInfo(uuid.uuid4(), "PRN-CARE", "Printer care", Decimal("1200.00"), "SEK", True, 1)
[ON_RENEWAL_ACCEPTED] = [h for h in HANDLERS if h.topic == RENEWAL_ACCEPTED]


def _world(terms: Terms | None = None) -> tuple[FakeContractsUnitOfWork, Contract]:
    uow = FakeContractsUnitOfWork()
    item = new_item(ACME.customer_id, "HP", "LJ", "SN-1")
    c = open_contract(
        "C-1", ACME, "SEK", date(2026, 1, 1), date(2026, 12, 31), terms or Terms(), [LineRequest(CARE, item)]
    )
    uow.contracts.rows[c.contract_id] = c
    return uow, c


def _topics(uow: FakeContractsUnitOfWork) -> list[str]:
    return [e.topic for e in uow.outbox.events]


async def test_a_rerun_of_the_same_day_sends_no_reminder_and_moves_nothing_twice() -> None:
    uow, c = _world()
    day = RunCalendar(date(2026, 10, 2))  # 90 days before the end

    first, second = await run_calendar(uow, day), await run_calendar(uow, day)

    assert (first.reminders, first.moved, second.reminders, second.moved) == (1, {"expiring": 1}, 0, {})
    assert _topics(uow) == [CONTRACT_EXPIRING, CONTRACT_STATE, CONTRACT_AMENDED]
    assert uow.contracts.rows[c.contract_id].version == 2


async def test_the_day_after_the_end_a_contract_without_auto_renewal_expires_once() -> None:
    uow, c = _world()
    for _ in range(2):
        await run_calendar(uow, RunCalendar(date(2027, 1, 1)))

    assert uow.contracts.rows[c.contract_id].status == "expired"
    assert _topics(uow) == [CONTRACT_STATE, CONTRACT_EXPIRED]


async def test_an_auto_renewing_contract_renews_once_on_its_last_day() -> None:
    uow, c = _world(Terms(auto_renew=True))
    reports = [await run_calendar(uow, RunCalendar(d)) for d in (date(2026, 12, 31), date(2027, 1, 1))]

    old = uow.contracts.rows[c.contract_id]
    assert old.status == "renewed" and old.renewed_to is not None
    assert [len(r.renewed) for r in reports] == [1, 0]
    assert _topics(uow).count(CONTRACT_RENEWED) == 1 and _topics(uow).count(CONTRACT_CREATED) == 1


async def test_an_index_renewal_without_values_waits_and_changes_nothing() -> None:
    uow, c = _world(Terms(auto_renew=True, price_policy="uplift_index", uplift_index="KPI"))
    report = await run_calendar(uow, RunCalendar(date(2026, 12, 31)))

    assert [w["contract_id"] for w in report.waiting] == [str(c.contract_id)]
    assert uow.contracts.rows[c.contract_id].renewed_to is None and CONTRACT_RENEWED not in _topics(uow)


async def test_an_acceptance_delivered_twice_renews_once() -> None:
    uow, c = _world()
    data = RenewalAccepted(
        contract_id=c.contract_id, accepted_by="it@acme.example", accepted_on=date(2026, 11, 1)
    )
    event = new_envelope(RENEWAL_ACCEPTED, "gateway", c.contract_id, data)
    second = new_envelope(RENEWAL_ACCEPTED, "gateway", c.contract_id, data)  # the customer clicked twice

    for e in (event, event, second):
        await deliver(uow, ON_RENEWAL_ACCEPTED, e)

    assert len(uow.contracts.rows) == 2
    assert _topics(uow).count(CONTRACT_RENEWED) == 1
    assert uow.contracts.rows[c.contract_id].status == "renewed"
