"""Payments: match to an invoice, apply (partly, fully, or beyond as credit), queue what matches nothing;
and the dunning ladder for invoices past due."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from avtal_billing.domain.payments import (
    LADDER,
    STEP_NAMES,
    OpenInvoice,
    Payment,
    due_step,
    ocr_of,
    split,
    status_after,
    unmatched_reason,
)
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.errors import Conflict, DomainError, NotFound
from avtal_common.events import Envelope
from avtal_common.logging import get_logger
from avtal_common.payloads.billing import InvoiceOverdue, InvoicePaid, PaymentApplied, PaymentReceived
from avtal_common.topics import INVOICE_OVERDUE, INVOICE_PAID, PAYMENT_APPLIED

log = get_logger(__name__)
PAID_VERSION = 2  # invoice.generated is an invoice's version 1
OVERDUE_VERSION = 3  # + the step: a later step is a later version of the same invoice


async def receive_payment(uow: BillingUnitOfWork, p: Payment) -> Payment:
    """Apply the payment to the invoice its OCR reference (else invoice number) names, or queue it as
    unmatched with the reason. A payment id seen before changes nothing and answers the stored one."""
    found = await _invoice_named(uow, p)
    reason = unmatched_reason(p, found)
    if reason is not None or found is None:
        if await uow.payments.add(replace(p, status="unmatched", reason=reason)):
            log.warning("billing.payment_unmatched", payment_id=p.payment_id, reason=reason)
        return await uow.payments.get(p.payment_id)
    applied, over = split(p.amount, found)
    matched = replace(p, status="matched", invoice_id=found.invoice_id, customer_id=found.customer_id,
                      applied=applied, credited=over)  # fmt: skip
    if await uow.payments.add(matched):
        await _apply(uow, found, p.payment_id, applied, over, p.paid_on)
    return await uow.payments.get(p.payment_id)


async def resolve_payment(
    uow: BillingUnitOfWork,
    payment_id: str,
    invoice_id: uuid.UUID | None,
    by: str,
    invoice_no: str | None = None,
) -> Payment:
    """Staff apply an unmatched payment to the invoice they chose (by id or number)."""
    p = await uow.payments.get(payment_id)
    if p.status != "unmatched":
        raise Conflict(f"payment {payment_id} is applied already (to invoice {p.invoice_id})")
    if invoice_id is None and not invoice_no:
        raise DomainError("name the invoice to apply the payment to: invoice_id or invoice_no")
    found = await uow.payments.invoice_by(number=invoice_no.strip().upper() if invoice_no else None,
                                          invoice_id=invoice_id)  # fmt: skip
    if found is None:
        raise NotFound(f"invoice {invoice_id or invoice_no} does not exist")
    if (reason := unmatched_reason(p, found)) is not None:
        raise DomainError(reason)
    applied, over = split(p.amount, found)
    matched = replace(
        p, invoice_id=found.invoice_id, customer_id=found.customer_id, applied=applied, credited=over
    )
    if not await uow.payments.resolve(matched, by):
        raise Conflict(f"payment {payment_id} was applied meanwhile")
    await _apply(uow, found, p.payment_id, applied, over, p.paid_on)
    return await uow.payments.get(payment_id)


async def on_payment_received(uow: BillingUnitOfWork, event: Envelope[PaymentReceived]) -> None:
    d = event.data
    await receive_payment(uow, Payment(d.payment_id, d.amount, d.currency, d.paid_on, d.reference,
                                       d.invoice_no, d.payer, d.source))  # fmt: skip


async def _invoice_named(uow: BillingUnitOfWork, p: Payment) -> OpenInvoice | None:
    ocr = ocr_of(p.reference)
    found = await uow.payments.invoice_by(ocr=ocr) if ocr else None
    if found is None and p.invoice_no:
        found = await uow.payments.invoice_by(number=p.invoice_no.strip().upper())
    return found


async def _apply(
    uow: BillingUnitOfWork, inv: OpenInvoice, payment_id: str, applied: Decimal, over: Decimal, on: date
) -> None:
    fact = PaymentApplied(payment_id=payment_id, invoice_id=inv.invoice_id, invoice_no=inv.invoice_no,
                          customer_id=inv.customer_id, currency=inv.currency, applied=applied,
                          credited=over, paid_on=on)  # fmt: skip
    await uow.emit(PAYMENT_APPLIED, payment_id, fact)
    if applied:
        status = status_after(inv, applied)
        await uow.payments.pay(inv.invoice_id, applied, status, on)
        if status == "paid":
            paid = InvoicePaid(
                invoice_id=inv.invoice_id,
                invoice_no=inv.invoice_no,
                customer_id=inv.customer_id,
                currency=inv.currency,
                total=inv.total,
                paid=inv.paid + applied,
                paid_on=on,
            )
            await uow.emit(INVOICE_PAID, inv.invoice_id, paid, PAID_VERSION)
    await uow.payments.credit(inv.customer_id, inv.currency, over)


async def run_dunning(
    uows: Callable[[], BillingUnitOfWork], today: date, ladder: tuple[int, ...] = LADDER, chunk: int = 500
) -> int:
    """Move every open invoice past due up to the step its days overdue reach, once per step, with an
    invoice.overdue for the notifier; returns how many steps were taken."""
    taken = 0
    while True:
        async with uows() as uow:
            rows = await uow.payments.overdue(today, list(ladder), chunk)
            for r in rows:
                days = (today - r["due_date"]).days
                step = min(due_step(days, ladder), len(STEP_NAMES))
                await uow.payments.reach_step(r["invoice_id"], step)
                await uow.emit(
                    INVOICE_OVERDUE, r["invoice_id"], _overdue(r, days, step), OVERDUE_VERSION + step
                )
        taken += len(rows)
        if len(rows) < chunk:
            return taken


def _overdue(r: dict[str, object], days: int, step: int) -> InvoiceOverdue:
    fields = {k: r[k] for k in ("invoice_id", "invoice_no", "customer_id", "customer_name", "customer_email",
                                "locale", "currency", "total", "due_date")}  # fmt: skip
    balance = Decimal(str(r["total"])) - Decimal(str(r["paid"]))
    return InvoiceOverdue(**fields, balance=balance, days_overdue=days, step=step, step_name=STEP_NAMES[step])
