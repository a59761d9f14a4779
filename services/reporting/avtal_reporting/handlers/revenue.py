"""Reporting use cases: fold billing's documents and payments into the read models."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from avtal_common.events import Envelope
from avtal_common.payloads.billing import InvoiceGenerated, PaymentApplied
from avtal_reporting.domain.figures import month_of, recognize
from avtal_reporting.domain.revenue import InvoiceFact
from avtal_reporting.store.uow import ReportingUnitOfWork


async def on_invoice_generated(uow: ReportingUnitOfWork, event: Envelope[InvoiceGenerated]) -> None:
    inv = event.data
    fact = InvoiceFact(
        inv.invoice_id,
        inv.invoice_no,
        inv.customer_id,
        inv.contract_id,
        inv.issue_date,
        inv.currency,
        inv.total if inv.net is None else inv.net,  # revenue is counted without VAT
    )
    if await add_document(uow, inv):  # an invoice counts once, whatever brought it
        await uow.revenue.add(fact)


async def on_invoice_credited(uow: ReportingUnitOfWork, event: Envelope[InvoiceGenerated]) -> None:
    """A credit note: negative amounts, recognized over the periods it credits, reducing what the credited
    invoice has open from its date."""
    await add_document(uow, event.data)


async def add_document(uow: ReportingUnitOfWork, inv: InvoiceGenerated) -> bool:
    """Fold an invoice or credit note into the read models once; False if it was folded before."""
    net = inv.total if inv.net is None else inv.net
    await uow.facts.bump()
    kept = await uow.facts.add_document(inv.invoice_id, inv.invoice_no, inv.customer_id, inv.contract_id,
                                        inv.issue_date, inv.due_date, inv.currency, net, inv.total,
                                        inv.kind, inv.credits_invoice_id)  # fmt: skip
    if not kept:
        return False
    lines = [
        (ln.contract_id or inv.contract_id, ln.period_start, ln.period_end, ln.amount) for ln in inv.lines
    ]
    await uow.facts.add_lines(inv.invoice_id, inv.customer_id, inv.currency, inv.issue_date, lines)
    months: dict[date, Decimal] = {}
    for _c, s, e, a in lines:
        for m, part in recognize(a, s, e, inv.issue_date).items():
            months[m] = months.get(m, Decimal(0)) + part
    # Lines may not add up to the net when an older event left them out: the rest is recognized on issue.
    rest = net - sum((a for *_, a in lines), Decimal(0))
    if rest:
        months[month_of(inv.issue_date)] = months.get(month_of(inv.issue_date), Decimal(0)) + rest
    await uow.facts.recognize(inv.currency, month_of(inv.issue_date), months)
    await uow.facts.add_to_month(inv.currency, month_of(inv.issue_date), inv.total, 0 * inv.total)
    if inv.kind == "invoice":
        await uow.facts.settle(inv.invoice_id)
    elif inv.credits_invoice_id is not None:
        await uow.facts.add_entry(f"credit:{inv.invoice_id}", inv.credits_invoice_id, inv.customer_id,
                                  inv.currency, inv.issue_date, -inv.total, "credit")  # fmt: skip
        await uow.facts.settle(inv.credits_invoice_id)
    return True


async def on_payment_applied(uow: ReportingUnitOfWork, event: Envelope[PaymentApplied]) -> None:
    p = event.data
    await uow.facts.bump()
    if not await uow.facts.add_collection(p.payment_id, p.customer_id, p.currency, p.paid_on, p.applied,
                                          p.credited):  # fmt: skip
        return
    await uow.facts.add_to_month(p.currency, month_of(p.paid_on), 0 * p.applied, p.applied + p.credited)
    if p.applied:
        await uow.facts.add_entry(f"pay:{p.payment_id}", p.invoice_id, p.customer_id, p.currency, p.paid_on,
                                  p.applied, "payment")  # fmt: skip
        await uow.facts.settle(p.invoice_id)
