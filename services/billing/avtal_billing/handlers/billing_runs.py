"""Billing runs: every due period becomes an invoice line; one invoice per customer (or per contract) per
run, and one failing contract stops nothing else.

A run is named by its `run_key`. Its first trigger bills every period due by `as_of`; a period whose
invoice fails is recorded on the run with its reason and skipped for the rest of the run. Triggering
the same key again starts the run's next round: it finishes the run if it was interrupted, then retries
exactly the run's open failures; a finished run without failures creates nothing new. A new key bills
whatever is still due, failed periods of earlier runs included. A period never gets a second invoice.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

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
from avtal_common.payloads.billing import BillingRunFinished, RunFailureData
from avtal_common.topics import BILLING_RUN_FINISHED

log = get_logger(__name__)

UnitsOfWork = Callable[[], BillingUnitOfWork]

# Keys (customers or contracts) per transaction by default: a few round trips per 500 invoices.
CHUNK = 500


async def run_billing(uows: UnitsOfWork, cmd: RunBilling) -> BillingRun:
    """Run (or continue, or retry) the billing run `cmd.run_key`; returns it with its open failures."""
    cmd.check()
    async with uows() as uow:
        run = await uow.runs.start(uuid.uuid4(), cmd.run_key, cmd.as_of, cmd.invoice_per)
    issuing = _Issuing(run, cmd.payment_terms_days, current_correlation_id(), cmd.chunk)
    if not run.finished:
        # Workers of one process share the run like replicas do: one computes while another waits on
        # the database.
        await asyncio.gather(*(work_on(uows, issuing) for _ in range(cmd.workers)))
        async with uows() as uow:
            await uow.runs.finish(run.run_id)
    if run.rounds > 1:
        while await _retry_chunk(uows, issuing):
            pass
    async with uows() as uow:
        done = await uow.runs.get(cmd.run_key)
        await uow.emit(BILLING_RUN_FINISHED, done.run_id, finished_fact(done), version=done.rounds)
        return done


def finished_fact(run: BillingRun) -> BillingRunFinished:
    """What staff hear about a round of a run (the notifier tells them when it failed somewhere)."""
    failures = [RunFailureData(contract_id=f.contract_id, period_start=f.period_start, reason=f.reason[:500])
                for f in run.open_failures[:20]]  # fmt: skip
    return BillingRunFinished(
        run_id=run.run_id, run_key=run.run_key, as_of=run.as_of, round=run.rounds,
        invoices_created=run.invoices_created, failed=run.failed, failures=failures,
    )  # fmt: skip


async def bill_contract(
    uow: BillingUnitOfWork, run_key: str, contract_id: uuid.UUID, as_of: date, terms_days: int
) -> int:
    """Bill now: one contract's periods starting by `as_of`, at once, in the caller's transaction, as a
    run of its own named `run_key`. A period already invoiced is not due any more, so asking again bills
    nothing; returns how many invoices were made."""
    await uow.schedules.of_contract(contract_id)  # NotFound until the contract's state has arrived
    run = await uow.runs.start(uuid.uuid4(), run_key, as_of, "contract")
    issuing = _Issuing(run, terms_days, current_correlation_id())
    due = await uow.schedules.due_of_contract(contract_id, as_of)
    billed, failures = 0, list[PeriodFailure]()
    if due:
        first = await uow.invoices.reserve_numbers(issuing.series, 1)
        billed, failures = await _store(uow, issuing, [due], first)
        await uow.invoices.release_numbers(issuing.series, 1 - billed)
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
    chunk: int = CHUNK
    notices: dict[Any, list[dict[str, str]]] = field(default_factory=dict)  # announced price changes

    @property
    def series(self) -> str:
        return series_of("invoice", self.run.as_of.year)

    def invoice(self, periods: list[DuePeriod], n: int) -> Invoice:
        """Due in the buyer's payment terms (the run's `terms_days` only for buyers billing has no
        terms for)."""
        number = invoice_number(self.run.as_of.year, n)
        terms = None if periods[0].contract.buyer is not None else self.terms_days
        made = bill(periods, number, self.run.as_of, terms, self.run.run_id, self.correlation_id, n)
        announced = [
            x for c in dict.fromkeys(p.contract.contract_id for p in periods) for x in self.notices.get(c, [])
        ]
        return replace(made, notices=tuple(announced)) if announced else made


def grouped(due: list[DuePeriod], per: str) -> list[list[DuePeriod]]:
    """One group per invoice: a customer's periods in one currency, or a contract's."""
    groups: dict[object, list[DuePeriod]] = {}
    for p in due:
        c = p.contract
        key = (c.customer_id, c.currency) if per == "customer" else c.contract_id
        groups.setdefault(key, []).append(p)
    return list(groups.values())


async def work_on(uows: UnitsOfWork, issuing: _Issuing) -> None:
    """Bill chunks of due keys in key order until a pass from the start finds none; keys another
    replica holds are skipped in a pass and found by the next one once that replica is done."""
    while True:
        after, took_any = None, False
        while (taken := await _bill_chunk(uows, issuing, after)) is not None:
            after, took_any = taken, True
        if took_any:
            continue
        async with uows() as uow:
            if not await uow.schedules.any_due(issuing.run.run_id, issuing.run.as_of):
                return
        await asyncio.sleep(0.2)  # another replica holds the last keys: wait until it has billed them


async def help_unfinished(uows: UnitsOfWork, terms_days: int, chunk: int = CHUNK) -> int:
    """Work on every unfinished run (a replica's share of a run another one started, or a run whose
    process died): returns how many runs this call finished."""
    async with uows() as uow:
        runs = await uow.runs.unfinished()
    for run in runs:
        await work_on(uows, _Issuing(run, terms_days, current_correlation_id(), chunk))
        async with uows() as uow:
            await uow.runs.finish(run.run_id)
    return len(runs)


async def _bill_chunk(uows: UnitsOfWork, issuing: _Issuing, after: uuid.UUID | None) -> uuid.UUID | None:
    """Bill the due periods of up to CHUNK keys after `after` in one transaction; returns the last key
    taken (None when none is left after `after`)."""
    run = issuing.run
    async with uows() as uow:
        due, last = await uow.schedules.due(run.run_id, run.as_of, run.invoice_per, after, issuing.chunk)
        if not due:
            return None
        failures = await _bill_groups(uow, issuing, grouped(due, run.invoice_per))
    _log_failures(run, failures)
    return last


async def _retry_chunk(uows: UnitsOfWork, issuing: _Issuing) -> int:
    """Retry up to CHUNK of the run's failed periods from earlier rounds; returns how many were taken."""
    run = issuing.run
    async with uows() as uow:
        due = await uow.schedules.failed(run.run_id, run.rounds, issuing.chunk)
        if not due:
            return 0
        failures = await _bill_groups(uow, issuing, grouped(due, run.invoice_per))
    _log_failures(run, failures)
    return len(due)


async def _bill_groups(
    uow: BillingUnitOfWork, issuing: _Issuing, groups: list[list[DuePeriod]]
) -> list[PeriodFailure]:
    run = issuing.run
    contract_ids = list({p.contract.contract_id for g in groups for p in g})
    notices = await uow.contracts.price_notices(contract_ids, run.as_of)
    first = await uow.invoices.reserve_numbers(issuing.series, len(groups))
    billed, failures = await _store(uow, replace(issuing, notices=notices), groups, first)
    # The counter row stays locked by this transaction, so settling the difference keeps the numbers
    # gapless either way: fewer invoices give numbers back, a group split by contract takes more.
    await uow.invoices.release_numbers(issuing.series, len(groups) - billed)
    await uow.runs.add_invoices(run.run_id, billed)
    await uow.runs.record_failures(run.run_id, run.rounds, failures)
    return failures


def _log_failures(run: BillingRun, failures: list[PeriodFailure]) -> None:
    for f in failures:
        log.warning(
            "billing.invoice_failed", run_key=run.run_key, contract_id=str(f.contract_id), reason=f.reason
        )


async def _store(
    uow: BillingUnitOfWork, issuing: _Issuing, groups: list[list[DuePeriod]], first: int
) -> tuple[int, list[PeriodFailure]]:
    """Store one invoice per group, numbered from `first`, in one savepoint; if that is refused, halve
    the groups until the refused one stands alone, then split it by contract so only the refused
    contract's periods fail (few statements when failures are rare). Only stored invoices are
    numbered, so the numbers stay gapless."""
    try:
        invoices = [issuing.invoice(g, first + i) for i, g in enumerate(groups)]
        async with uow.savepoint():
            await uow.invoices.add_all(invoices)
        return len(groups), []
    except (InvoiceRefused, DomainError) as exc:
        if len(groups) == 1:
            by_contract = grouped(groups[0], "contract")
            if len(by_contract) > 1:
                return await _store(uow, issuing, by_contract, first)
            return 0, [PeriodFailure(p.contract.contract_id, p.period_start, str(exc)) for p in groups[0]]
    half = len(groups) // 2
    stored, failed = await _store(uow, issuing, groups[:half], first)
    stored_2, failed_2 = await _store(uow, issuing, groups[half:], first + stored)
    return stored + stored_2, failed + failed_2
