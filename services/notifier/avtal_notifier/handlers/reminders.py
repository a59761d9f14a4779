"""Renewal reminders: a term opens on its first expiry notice or renewal quote; the reminder loop
queues one reminder every cadence days until an answer or the term's end stops them (docs/adr/0011)."""

from __future__ import annotations

from datetime import date, timedelta

from avtal_common.events import Envelope
from avtal_common.payloads.billing import InvoiceGenerated
from avtal_common.payloads.contracts import (
    ContractExpired,
    ContractExpiring,
    ContractTerminated,
    RenewalAccepted,
    RenewalDeclined,
)
from avtal_notifier.adapters.templates import render
from avtal_notifier.domain.directory import Customer
from avtal_notifier.domain.reminders import RenewalTerm, due_reminder, reminder_key
from avtal_notifier.handlers.emails import Notice, notify_customer
from avtal_notifier.store.uow import NotifierUnitOfWork


async def open_term_on_expiring(uow: NotifierUnitOfWork, e: ContractExpiring) -> None:
    c = e.customer
    await uow.directory.put_customer(Customer(c.customer_id, c.name, str(c.email), c.locale), version=0)
    term = RenewalTerm(e.contract_id, e.end_date, e.contract_no, c.customer_id, first_notice_on=e.due_on)
    await uow.reminders.open(term, auto_renew=e.auto_renew)


async def open_term_on_quote(uow: NotifierUnitOfWork, q: InvoiceGenerated, contract_no: str | None) -> None:
    """The quote is for the next term, so the term it reminds about ends the day before it starts."""
    assert q.contract_id is not None
    term = RenewalTerm(
        q.contract_id, q.period_start - timedelta(days=1), contract_no or "", q.customer_id,
        first_notice_on=q.issue_date, quote_no=q.invoice_no, quote_total=q.total, currency=q.currency,
    )  # fmt: skip
    await uow.reminders.open(term, auto_renew=None)


async def on_renewal_accepted(uow: NotifierUnitOfWork, event: Envelope[RenewalAccepted]) -> None:
    await uow.reminders.stop(event.data.contract_id, "accepted")


async def on_renewal_declined(uow: NotifierUnitOfWork, event: Envelope[RenewalDeclined]) -> None:
    await uow.reminders.stop(event.data.contract_id, "declined")


async def on_contract_expired(uow: NotifierUnitOfWork, event: Envelope[ContractExpired]) -> None:
    await uow.reminders.stop(event.data.contract_id, "expired")


async def on_contract_terminated(uow: NotifierUnitOfWork, event: Envelope[ContractTerminated]) -> None:
    await uow.reminders.stop(event.data.contract_id, "terminated")


async def queue_due_reminders(
    uow: NotifierUnitOfWork, today: date, cadence_days: int, limit: int = 100
) -> int:
    """Queue the reminders due `today`; returns how many terms were reminded. Each reminder's e-mail is
    keyed by (contract, term, number), so a second replica or a rerun queues nothing twice."""
    reminded = 0
    for term in await uow.reminders.due(today, cadence_days, limit):
        number = due_reminder(term, today, cadence_days)
        customer = await uow.directory.customer(term.customer_id)
        if number is None or customer is None:
            continue
        rendered = render("renewal_reminder", customer.locale, t=term, name=customer.name, number=number,
                          cadence_days=cadence_days)  # fmt: skip
        key = reminder_key(term.contract_id, term.term_end, number)
        await notify_customer(uow, customer, Notice("renewal_reminder", key, rendered))
        await uow.reminders.reminded(term.contract_id, term.term_end, number)
        reminded += 1
    return reminded
