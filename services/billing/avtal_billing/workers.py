"""Billing background loops: automatic billing runs and the PDF issuer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from avtal_billing.adapters.pdf import WeasyPrintRenderer
from avtal_billing.handlers.billing import issue_pdfs, run_billing
from avtal_billing.settings import BillingSettings
from avtal_common.logging import bind_correlation_id, get_logger
from avtal_common.loops import drain_forever
from avtal_common.runtime import Runtime

log = get_logger(__name__)


def _settings(rt: Runtime) -> BillingSettings:
    assert isinstance(rt.settings, BillingSettings)
    return rt.settings


async def auto_billing(rt: Runtime) -> None:
    """Once a day, after `auto_run_at` (UTC), bill what is due; the run key makes it once per day."""
    at = _settings(rt).auto_run_at
    if at is None:
        return
    while True:
        now = datetime.now(UTC)
        if now.time() >= at:
            bind_correlation_id(None)  # a fresh id per automatic run
            try:
                result = await run_billing(
                    rt.db, now.date(), f"auto:{now.date()}", _settings(rt).payment_terms_days
                )
                if result.invoices_created:
                    log.info("billing.auto_run", run_key=result.run_key, invoices=result.invoices_created)
            except Exception as exc:  # noqa: BLE001 - tried again on the next pass
                log.warning("billing.auto_run_failed", error=repr(exc))
        await asyncio.sleep(30)


async def pdf_issuer(rt: Runtime) -> None:
    s = _settings(rt)
    seller = {"name": s.seller_name, "address": s.seller_address, "vat_no": s.seller_vat_no}
    renderer = WeasyPrintRenderer(s.pdf_workers)
    try:
        await drain_forever(lambda: issue_pdfs(rt.db, renderer, seller, s.pdf_batch_size), "billing.pdf")
    finally:
        renderer.close()
