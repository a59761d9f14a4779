"""Billing background loops: the daily automatic billing run and the PDF issuer."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from avtal_billing.adapters.pdf import WeasyPrintRenderer
from avtal_billing.domain.commands import IssuePdfs, RunBilling
from avtal_billing.handlers.billing_runs import help_unfinished, run_billing
from avtal_billing.handlers.invoices import issue_pdfs
from avtal_billing.handlers.payments import run_dunning
from avtal_billing.settings import BillingSettings
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.logging import bind_correlation_id, get_logger
from avtal_common.loops import drain_forever
from avtal_common.runtime import Runtime

log = get_logger(__name__)


def _settings(rt: Runtime) -> BillingSettings:
    assert isinstance(rt.settings, BillingSettings)
    return rt.settings


def units_of_work(rt: Runtime) -> BillingUnitOfWork:
    """A fresh billing unit of work on the runtime's pool (the factory billing runs and issuing take)."""
    uow = rt.uow()
    assert isinstance(uow, BillingUnitOfWork)
    return uow


async def auto_billing(rt: Runtime) -> None:
    """Once a day, after `auto_run_at` (UTC), run `auto:<date>` (catching up at start). Its failures
    wait for the next day's run, which bills whatever is still due, or for staff to trigger the key."""
    at = _settings(rt).auto_run_at
    if at is None:
        return
    done: date | None = None
    while True:
        now = datetime.now(UTC)
        if now.time() >= at and done != now.date():
            bind_correlation_id(None)  # a fresh id per automatic run
            s = _settings(rt)
            cmd = RunBilling(
                now.date(),
                f"auto:{now.date()}",
                s.payment_terms_days,
                now.date(),
                s.invoice_per,
                s.run_chunk,
                s.run_workers,
            )
            try:
                run = await run_billing(lambda: units_of_work(rt), cmd)
                done = now.date()
                log.info(
                    "billing.auto_run", run_key=run.run_key, invoices=run.invoices_created, failed=run.failed
                )
            except Exception as exc:  # noqa: BLE001 - tried again on the next pass
                log.warning("billing.auto_run_failed", error=repr(exc))
        await asyncio.sleep(30)


async def run_helper(rt: Runtime) -> None:
    """Every replica works on unfinished runs: a run another replica started goes faster, and a run
    whose process died is finished by whoever is left (handlers/billing_runs.help_unfinished)."""
    terms = _settings(rt).payment_terms_days
    while True:
        try:
            await help_unfinished(lambda: units_of_work(rt), terms)
        except Exception as exc:  # noqa: BLE001 - tried again on the next pass
            log.warning("billing.run_helper_failed", error=repr(exc))
        await asyncio.sleep(_settings(rt).run_helper_every_s)


async def dunning(rt: Runtime) -> None:
    """Every `dunning_every_s`, take the dunning steps invoices have reached (each once)."""
    while True:
        try:
            steps = await run_dunning(
                lambda: units_of_work(rt), datetime.now(UTC).date(), _settings(rt).dunning_ladder
            )
            if steps:
                log.info("billing.dunning", steps=steps)
        except Exception as exc:  # noqa: BLE001 - tried again on the next pass
            log.warning("billing.dunning_failed", error=repr(exc))
        await asyncio.sleep(_settings(rt).dunning_every_s)


async def pdf_issuer(rt: Runtime) -> None:
    s = _settings(rt)
    seller = s.seller()
    renderer = WeasyPrintRenderer(s.pdf_workers)
    rt.state["pdf_renderer"] = renderer  # re-rendering on demand (api/invoices.py) uses the same workers
    cmd = IssuePdfs(limit=s.pdf_batch_size)
    try:
        await drain_forever(
            lambda: issue_pdfs(lambda: units_of_work(rt), renderer, seller, cmd), "billing.pdf"
        )
    finally:
        renderer.close()
