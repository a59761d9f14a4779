"""Reporting use cases: fold events into read models."""

from __future__ import annotations

from avtal_common.events import Envelope
from avtal_common.payloads.billing import InvoiceGenerated
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
    if await uow.revenue.counted(fact.invoice_id):
        return  # counted already, from another event about the same invoice: a total counts once
    await uow.revenue.add(fact)
