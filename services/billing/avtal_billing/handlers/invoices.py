"""PDF issuing: render outside any transaction, then store each PDF with its invoice.generated event."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from avtal_billing.adapters.pdf import PdfRenderer
from avtal_billing.domain.commands import IssuePdfs
from avtal_billing.domain.invoices import Invoice, Seller, render_backoff_s
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.logging import bind_correlation_id, get_logger
from avtal_common.payloads.billing import InvoiceGenerated, InvoiceLineData
from avtal_common.topics import INVOICE_CREDITED, INVOICE_GENERATED, RENEWAL_QUOTED

log = get_logger(__name__)

# A credit note is announced on invoice.credited (it credits an invoice announced before), a renewal quote
# on renewal.quoted; each carries the same document payload with its `kind`.
TOPIC_OF_KIND = {
    "invoice": INVOICE_GENERATED,
    "credit_note": INVOICE_CREDITED,
    "renewal_quote": RENEWAL_QUOTED,
}
ISSUED_VERSION = 1  # an invoice's version when it is issued; each later change to it counts on from here


@dataclass(frozen=True)
class _RenderFailed:
    reason: str


async def issue_pdfs(
    uows: Callable[[], BillingUnitOfWork], renderer: PdfRenderer, seller: Seller, cmd: IssuePdfs
) -> int:
    """Lease invoices without a PDF (a short transaction), render them in the renderer's workers with
    no transaction open, then store each PDF and emit invoice.generated in one short transaction.
    A failed render is recorded on its invoice (attempts, error) and retried later; the rest go on."""
    async with uows() as uow:
        claimed = await uow.invoices.claim_unrendered(cmd.limit, cmd.lease_s)
    if not claimed:
        return 0
    results = await asyncio.gather(*(_render(renderer, inv, seller, cmd.render_timeout_s) for inv in claimed))
    async with uows() as uow:
        for inv, result in zip(claimed, results, strict=True):
            if isinstance(result, _RenderFailed):
                await uow.invoices.record_render_failure(
                    inv.invoice_id, result.reason, render_backoff_s(inv.pdf_attempts)
                )
            else:
                await _publish(uow, inv, result)
    return len(claimed)


async def _render(
    renderer: PdfRenderer, inv: Invoice, seller: Seller, timeout_s: float
) -> bytes | _RenderFailed:
    try:
        return await asyncio.wait_for(renderer.render(inv, seller), timeout_s)
    except Exception as exc:  # noqa: BLE001 - recorded on the invoice (see issue_pdfs), not swallowed
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        log.warning("billing.pdf_failed", invoice_no=inv.invoice_no, attempts=inv.pdf_attempts, error=reason)
        return _RenderFailed(reason)


async def _publish(uow: BillingUnitOfWork, inv: Invoice, pdf: bytes) -> None:
    digest = hashlib.sha256(pdf).hexdigest()
    if not await uow.invoices.attach_pdf(inv.invoice_id, pdf, digest):
        return  # another issuer stored (and announced) this invoice's PDF first
    bind_correlation_id(inv.correlation_id)  # the billing run's, carried to its events
    # The invoice is the aggregate (key and aggregate id), so a later fact about it (credited, paid)
    # lands on the same partition after this one; issuing is its first version.
    await uow.emit(TOPIC_OF_KIND[inv.kind], inv.invoice_id, generated(inv, digest), ISSUED_VERSION)


def generated(inv: Invoice, digest: str) -> InvoiceGenerated:
    return InvoiceGenerated(
        invoice_id=inv.invoice_id,
        invoice_no=inv.invoice_no,
        contract_id=inv.contract_id,
        customer_id=inv.customer_id,
        customer_name=inv.customer_name,
        customer_email=inv.customer_email,
        locale=inv.locale,
        currency=inv.currency,
        issue_date=inv.issue_date,
        due_date=inv.due_date,
        period_start=inv.period_start,
        period_end=inv.period_end,
        total=inv.total,
        lines=[
            InvoiceLineData(
                description=ln.description,
                period_start=ln.period_start,
                period_end=ln.period_end,
                amount=ln.amount,
                contract_id=ln.contract_id,
                serials=ln.serials,
                vat_rate=ln.vat_rate,
                vat=ln.vat,
            )
            for ln in inv.lines
        ],
        pdf_path=inv.pdf_path,
        pdf_sha256=digest,
        net=inv.net,
        vat=inv.vat,
        kind=inv.kind,
        ocr=inv.ocr,
        credits_invoice_id=inv.credits_invoice_id,
    )
