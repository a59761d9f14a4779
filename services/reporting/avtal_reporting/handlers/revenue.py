"""Reporting use cases: fold events into read models."""

from __future__ import annotations

from avtal_common.events import Envelope
from avtal_common.payloads.billing import InvoiceGenerated
from avtal_common.uow import Tx
from avtal_reporting.domain.revenue import revenue_month
from avtal_reporting.store.revenue import RevenueRepo


async def on_invoice_generated(tx: Tx, event: Envelope[InvoiceGenerated]) -> None:
    inv = event.data
    fact = (
        inv.invoice_id,
        inv.invoice_no,
        inv.customer_id,
        inv.contract_id,
        inv.issue_date,
        inv.currency,
        inv.total,
    )
    await RevenueRepo(tx.conn).record_invoice(fact, revenue_month(inv.issue_date), inv.currency, inv.total)
