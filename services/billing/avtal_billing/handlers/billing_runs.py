"""Billing runs: every due period becomes an invoice, each on its own, so one failure stops nothing else.

A run is named by its `run_key`. Its first trigger bills every period due by `as_of`; a period whose
invoice fails is recorded on the run with its reason and skipped for the rest of the run. Triggering
the same key again starts the run's next round: it finishes the run if it was interrupted, then retries
exactly the run's open failures; a finished run without failures creates nothing new. A new key bills
whatever is still due, failed periods of earlier runs included. A period never gets a second invoice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from avtal_billing.domain.commands import RunBilling
from avtal_billing.domain.invoices import (
    DuePeriod,
    Invoice,
    InvoiceRefused,
    bill,
    invoice_number,
    series_of,
)
from avtal_billing.domain.runs import BillingRun, PeriodFailure
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.errors import DomainError
from avtal_common.logging import current_correlation_id, get_logger

log = get_logger(__name__)

UnitsOfWork = Callable[[], BillingUnitOfWork]

# Periods per transaction: large enough that a run is a few round trips per 500 invoices.
CHUNK = 500


async def run_billing(uows: UnitsOfWork, cmd: RunBilling) -> BillingRun:
    """Run (or continue, or retry) the billing run `cmd.run_key`; returns it with its open failures."""
    cmd.check()
    async with uows() as uow:
        run = await uow.runs.start(uuid.uuid4(), cmd.run_key, cmd.as_of)
    issuing = _Issuing(run, cmd.payment_terms_days, current_correlation_id())
    if not run.finished:
        while await _bill_chunk(uows, issuing, retry=False):
            pass
        async with uows() as uow:
            await uow.runs.finish(run.run_id)
    if run.rounds > 1:
        while await _bill_chunk(uows, issuing, retry=True):
            pass
    async with uows() as uow:
        return await uow.runs.get(cmd.run_key)


async def bill_contract(
    uow: BillingUnitOfWork, run_key: str, contract_id: uuid.UUID, as_of: date, terms_days: int
) -> int:
    """Bill now: one contract's periods starting by `as_of`, at once, in the caller's transaction, as a
    run of its own named `run_key`. A period already invoiced is not due any more, so asking again bills
    nothing; returns how many invoices were made."""
    await uow.schedules.of_contract(contract_id)  # NotFound until the contract's state has arrived
    run = await uow.runs.start(uuid.uuid4(), run_key, as_of)
    issuing = _Issuing(run, terms_days, current_correlation_id())
    due = await uow.schedules.due_of_contract(contract_id, as_of)
    billed, failures = 0, []
    if due:
        first = await uow.invoices.reserve_numbers(issuing.series, len(due))
        billed, failures = await _store(uow, issuing, due, first)
        await uow.invoices.release_numbers(issuing.series, len(due) - billed)
        await uow.runs.add_invoices(run.run_id, billed)
        await uow.runs.record_failures(run.run_id, run.rounds, failures)
    await uow.runs.finish(run.run_id)
    return billed


@dataclass(frozen=True)
class _Issuing:
    """What every invoice of one round of a run shares."""

    run: BillingRun
    terms_days: int
    correlation_id: str | None

    @property
    def series(self) -> str:
        return series_of("invoice", self.run.as_of.year)

    def invoice(self, period: DuePeriod, n: int) -> Invoice:
        """Due in the buyer's payment terms (the run's `terms_days` only for buyers billing has no
        terms for)."""
        number = invoice_number(self.run.as_of.year, n)
        terms = None if period.contract.buyer is not None else self.terms_days
        return bill(period, number, self.run.as_of, terms, self.run.run_id, self.correlation_id, n)


async def _bill_chunk(uows: UnitsOfWork, issuing: _Issuing, retry: bool) -> int:
    """Bill up to CHUNK periods in one transaction; returns how many were taken (billed or failed)."""
    run = issuing.run
    async with uows() as uow:
        if retry:
            due = await uow.schedules.failed(run.run_id, run.rounds, CHUNK)
        else:
            due = await uow.schedules.due(run.run_id, run.as_of, CHUNK)
        if not due:
            return 0
        first = await uow.invoices.reserve_numbers(issuing.series, len(due))
        billed, failures = await _store(uow, issuing, due, first)
        await uow.invoices.release_numbers(issuing.series, len(due) - billed)
        await uow.runs.add_invoices(run.run_id, billed)
        await uow.runs.record_failures(run.run_id, run.rounds, failures)
    for f in failures:
        log.warning(
            "billing.invoice_failed", run_key=run.run_key, contract_id=str(f.contract_id), reason=f.reason
        )
    return len(due)


async def _store(
    uow: BillingUnitOfWork, issuing: _Issuing, due: list[DuePeriod], first: int
) -> tuple[int, list[PeriodFailure]]:
    """Store the invoices of `due`, numbered from `first`, in one savepoint; if that is refused, halve
    the list until the refused periods stand alone (few statements when failures are rare), and number
    only the invoices stored, so the numbers stay gapless."""
    try:
        invoices = [issuing.invoice(p, first + i) for i, p in enumerate(due)]
        async with uow.savepoint():
            await uow.invoices.add_all(invoices)
        return len(due), []
    except (InvoiceRefused, DomainError) as exc:
        if len(due) == 1:
            return 0, [PeriodFailure(due[0].contract.contract_id, due[0].period_start, str(exc))]
    half = len(due) // 2
    stored, failed = await _store(uow, issuing, due[:half], first)
    stored_2, failed_2 = await _store(uow, issuing, due[half:], first + stored)
    return stored + stored_2, failed + failed_2
