"""Billing runs over HTTP: start, continue or retry a run, and read what it billed and failed on."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from litestar import Controller, get, post
from litestar.plugins.problem_details import ProblemDetailsException

from avtal_billing.domain.commands import RunBilling
from avtal_billing.domain.runs import BillingRun, RunRefused
from avtal_billing.handlers.billing_runs import UnitsOfWork, run_billing
from avtal_billing.settings import BillingSettings
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.api import responses
from avtal_common.api.commands import BillingRunIn


class RunOut(responses.BillingRun):
    """A billing run: the public fields plus how many rounds it took."""

    rounds: int


def _out(run: BillingRun) -> RunOut:
    return RunOut(
        run_id=run.run_id,
        run_key=run.run_key,
        as_of=run.as_of,
        invoices_created=run.invoices_created,
        finished=run.finished,
        rounds=run.rounds,
        failed=run.failed,
        failures=[responses.BillingFailure(**f.__dict__) for f in run.open_failures],
    )


class BillingRunController(Controller):
    path = "/billing-runs"

    @post("/")
    async def create(self, data: BillingRunIn, uows: UnitsOfWork, settings: BillingSettings) -> RunOut:
        """Bill everything due by `as_of` (default today). Its failures are listed with their reasons;
        posting the same `run_key` again retries exactly those and bills nothing else."""
        today = datetime.now(UTC).date()
        as_of = data.as_of or today
        run_key = data.run_key or f"manual:{as_of}:{uuid.uuid4()}"
        try:
            run = await run_billing(uows, RunBilling(as_of, run_key, settings.payment_terms_days, today))
        except RunRefused as exc:
            raise ProblemDetailsException(
                status_code=400, title="Billing run refused", detail=str(exc)
            ) from exc
        return _out(run)

    @get("/{run_key:str}")
    async def get_run(self, run_key: str, uow: BillingUnitOfWork) -> RunOut:
        """A run: its invoices, and the periods it failed on that are still unbilled (first 1,000)."""
        async with uow:
            return _out(await uow.runs.get(run_key))
