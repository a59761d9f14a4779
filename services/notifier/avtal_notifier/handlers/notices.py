"""Reactions to events: each renders its notice in the customer's language and queues it for the
recipients the customer chose (handlers/emails.py); the mailer loop sends them."""

from __future__ import annotations

import uuid

from avtal_common.errors import NotFound
from avtal_common.events import Envelope
from avtal_common.payloads.billing import InvoiceGenerated, InvoiceOverdue, InvoicePaid
from avtal_common.payloads.contracts import ContractExpiring, ContractRenewed
from avtal_notifier.adapters.templates import render
from avtal_notifier.domain.directory import ContractRef, Customer
from avtal_notifier.handlers.emails import Attachment, Notice, notify_customer
from avtal_notifier.handlers.reminders import open_term_on_expiring, open_term_on_quote
from avtal_notifier.store.uow import NotifierUnitOfWork

# An invoice event's kind → the notice's kind.
_DOCUMENT_KINDS = {"invoice": "invoice", "credit_note": "credit_note", "renewal_quote": "renewal_quote"}


async def on_invoice_document(uow: NotifierUnitOfWork, event: Envelope[InvoiceGenerated]) -> None:
    """An invoice, credit note or renewal quote: its e-mail with the PDF (invoice.generated,
    invoice.credited, renewal.quoted)."""
    inv = event.data
    customer = Customer(inv.customer_id, inv.customer_name, inv.customer_email, inv.locale)
    await uow.directory.put_customer(customer, version=0)  # known from now on, until customer.state
    kind = _DOCUMENT_KINDS.get(inv.kind, "invoice")
    contract = await uow.directory.contract(inv.contract_id) if inv.contract_id else None
    contract_no = contract.contract_no if contract else None
    rendered = render(kind, inv.locale, e=inv, contract_no=contract_no)
    pdf = Attachment(f"{inv.invoice_no}.pdf", inv.pdf_path, inv.pdf_sha256)
    await notify_customer(uow, customer, Notice(kind, event.event_id, rendered, event.correlation_id, pdf))
    if kind == "renewal_quote" and inv.contract_id is not None:
        await open_term_on_quote(uow, inv, contract_no)


async def on_contract_expiring(uow: NotifierUnitOfWork, event: Envelope[ContractExpiring]) -> None:
    e = event.data
    c = e.customer
    customer = Customer(c.customer_id, c.name, str(c.email), c.locale)
    rendered = render("contract_expiring", c.locale, e=e, name=c.name)
    await notify_customer(
        uow, customer, Notice("contract_expiring", event.event_id, rendered, event.correlation_id)
    )
    await open_term_on_expiring(uow, e)


async def on_contract_renewed(uow: NotifierUnitOfWork, event: Envelope[ContractRenewed]) -> None:
    e = event.data
    contract = await _contract(uow, e.contract_id)
    customer = await _customer(uow, contract)
    rendered = render("contract_renewed", customer.locale, e=e, name=customer.name)
    await notify_customer(
        uow, customer, Notice("contract_renewed", event.event_id, rendered, event.correlation_id)
    )
    await uow.reminders.stop(e.contract_id, "renewed")


async def on_invoice_paid(uow: NotifierUnitOfWork, event: Envelope[InvoicePaid]) -> None:
    e = event.data
    customer = await uow.directory.customer(e.customer_id)
    if customer is None:
        raise NotFound(f"the notifier does not know customer {e.customer_id} yet")
    rendered = render("payment_received", customer.locale, e=e, name=customer.name)
    notice = Notice("payment_received", event.event_id, rendered, event.correlation_id)
    await notify_customer(uow, customer, notice)


async def on_invoice_overdue(uow: NotifierUnitOfWork, event: Envelope[InvoiceOverdue]) -> None:
    """Each dunning step once (billing sends each step once; the inbox and unique key keep it so)."""
    e = event.data
    customer = Customer(e.customer_id, e.customer_name, e.customer_email, e.locale)
    rendered = render("overdue", e.locale, e=e)
    await notify_customer(uow, customer, Notice("overdue", event.event_id, rendered, event.correlation_id))


async def _contract(uow: NotifierUnitOfWork, contract_id: uuid.UUID) -> ContractRef:
    found = await uow.directory.contract(contract_id)
    if found is None:
        raise NotFound(f"the notifier does not know contract {contract_id} yet")
    return found


async def _customer(uow: NotifierUnitOfWork, contract: ContractRef) -> Customer:
    found = await uow.directory.customer(contract.customer_id)
    if found is None:
        raise NotFound(f"the notifier does not know customer {contract.customer_id} yet")
    return found
