"""Renewal reminders: every cadence days after the first notice of a term, until the customer accepts or
declines, the contract is renewed, ends or is terminated; one reminder of each number, ever."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from notifier.unit import samples
from notifier.unit.fakes import FakeNotifierUnitOfWork

from avtal_common import topics
from avtal_common.outbox import new_envelope
from avtal_common.payloads.contracts import ContractExpired, RenewalAccepted, RenewalDeclined
from avtal_notifier.consumers import HANDLERS
from avtal_notifier.domain.reminders import RenewalTerm, due_reminder, reminder_key
from avtal_notifier.handlers.reminders import queue_due_reminders
from avtal_testing.fakes import deliver

BY_TOPIC = {h.topic: h for h in HANDLERS}
CADENCE = 14
# The sample contract ends 2025-06-30; its 90-day notice was due 2025-04-01, so reminders are due
# 2025-04-15 (1), 04-29 (2), 05-13 (3), 05-27 (4), 06-10 (5), 06-24 (6); none from 06-30 on.
FIRST = date(2025, 4, 1)


async def _handle(uow: FakeNotifierUnitOfWork, topic: str, data: Any) -> None:
    await deliver(uow, BY_TOPIC[topic], new_envelope(topic, "test", uuid.uuid4(), data))


async def _remind(uow: FakeNotifierUnitOfWork, today: date) -> int:
    async with uow:
        return await queue_due_reminders(uow, today, CADENCE)


def _reminders(uow: FakeNotifierUnitOfWork) -> list[str]:
    return sorted(e.subject for e in uow.emails.rows.values() if e.kind == "renewal_reminder")


async def _expiring(uow: FakeNotifierUnitOfWork, **kw: Any) -> None:
    await _handle(uow, topics.CONTRACT_EXPIRING, samples.contract_expiring(**kw))


async def test_no_reminder_before_the_cadence_has_passed() -> None:
    uow = FakeNotifierUnitOfWork()
    await _expiring(uow)

    assert await _remind(uow, FIRST + timedelta(days=CADENCE - 1)) == 0
    assert _reminders(uow) == []


async def test_a_reminder_each_cadence_and_each_one_once() -> None:
    uow = FakeNotifierUnitOfWork()
    await _expiring(uow)

    done = [await _remind(uow, day) for day in (date(2025, 4, 15), date(2025, 4, 15), date(2025, 4, 28))]
    done.append(await _remind(uow, date(2025, 4, 29)))

    assert done == [1, 0, 0, 1]
    assert _reminders(uow) == [
        "Reminder 1: contract C-2024-0007 ends on June 30, 2025",
        "Reminder 2: contract C-2024-0007 ends on June 30, 2025",
    ]


async def test_the_reminder_is_in_the_customers_language_and_names_the_quote() -> None:
    uow = FakeNotifierUnitOfWork()
    await _expiring(uow, locale="sv")
    await _handle(uow, topics.RENEWAL_QUOTED, samples.renewal_quoted("sv"))

    await _remind(uow, date(2025, 4, 15))

    [email] = [e for e in uow.emails.rows.values() if e.kind == "renewal_reminder"]
    assert email.subject == "Påminnelse 1: avtal C-2024-0007 upphör 30 juni 2025"
    assert "RQ-2025-000003" in email.body_text and "12\xa0360,00 SEK" in email.body_text


async def test_after_a_pause_only_the_latest_due_reminder_is_sent() -> None:
    uow = FakeNotifierUnitOfWork()
    await _expiring(uow)

    await _remind(uow, date(2025, 5, 14))  # reminders 1, 2 and 3 were due while the notifier was down

    assert _reminders(uow) == ["Reminder 3: contract C-2024-0007 ends on June 30, 2025"]
    assert await _remind(uow, date(2025, 5, 26)) == 0


@pytest.mark.parametrize(
    ("topic", "data"),
    [
        (topics.RENEWAL_ACCEPTED, RenewalAccepted(contract_id=samples.CONTRACT_ID, accepted_by="a@x.se",
                                                  accepted_on=date(2025, 4, 10))),
        (topics.RENEWAL_DECLINED, RenewalDeclined(contract_id=samples.CONTRACT_ID, declined_by="a@x.se",
                                                  declined_on=date(2025, 4, 10))),
        (topics.CONTRACT_RENEWED, samples.contract_renewed()),
        (topics.CONTRACT_EXPIRED, ContractExpired(contract_id=samples.CONTRACT_ID, contract_no="C-2024-0007",
                                                  customer=samples.customer(), end_date=date(2025, 6, 30))),
    ],
)  # fmt: skip
async def test_an_answer_or_the_end_of_the_contract_stops_the_reminders(topic: str, data: Any) -> None:
    uow = FakeNotifierUnitOfWork()
    await _expiring(uow)
    await _remind(uow, date(2025, 4, 15))
    await _handle(uow, topics.CUSTOMER_STATE, _customer_state())  # contract.renewed names no customer
    uow.directory.contracts[samples.CONTRACT_ID] = (_ref(), 1)

    await _handle(uow, topic, data)

    assert await _remind(uow, date(2025, 4, 29)) == 0
    assert len(_reminders(uow)) == 1


async def test_a_contract_that_renews_by_itself_gets_no_reminders() -> None:
    uow = FakeNotifierUnitOfWork()
    await _expiring(uow, auto_renew=True)

    assert await _remind(uow, date(2025, 4, 29)) == 0


async def test_no_reminder_on_or_after_the_terms_last_day() -> None:
    term = RenewalTerm(
        samples.CONTRACT_ID, date(2025, 6, 30), "C", samples.CUSTOMER_ID, FIRST, reminders_sent=6
    )

    assert due_reminder(term, date(2025, 6, 29), CADENCE) is None  # the 7th would be 2025-07-08
    assert due_reminder(term, date(2025, 6, 30), 1) is None
    assert due_reminder(term, date(2025, 6, 29), 1) == 89


async def test_every_expiry_notice_of_a_term_keeps_the_first_as_the_start() -> None:
    uow = FakeNotifierUnitOfWork()
    await _expiring(uow, lead_days=90)
    await _expiring(uow, lead_days=30)  # the 30-day notice of the same term

    [term] = uow.reminders.terms.values()
    assert term.first_notice_on == FIRST


def test_a_reminders_key_is_the_same_in_every_process_and_differs_by_number_and_term() -> None:
    c = samples.CONTRACT_ID
    assert reminder_key(c, date(2025, 6, 30), 1) == reminder_key(c, date(2025, 6, 30), 1)
    assert len({reminder_key(c, date(2025, 6, 30), 1), reminder_key(c, date(2025, 6, 30), 2),
                reminder_key(c, date(2026, 6, 30), 1)}) == 3  # fmt: skip


def _ref() -> Any:
    from avtal_notifier.domain.directory import ContractRef

    return ContractRef(samples.CONTRACT_ID, "C-2024-0007", samples.CUSTOMER_ID)


def _customer_state() -> Any:
    from avtal_common.payloads.customers import CustomerState

    return CustomerState(customer=samples.customer())
