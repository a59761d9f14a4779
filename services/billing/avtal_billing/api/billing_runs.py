"""Billing runs over HTTP: start, continue or retry a run, and read what it billed and failed on."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, date, datetime

from litestar import Controller, Response, get, post
from litestar.plugins.problem_details import ProblemDetailsException

from avtal_billing.domain.commands import RunBilling
from avtal_billing.domain.runs import BillingRun, RunRefused
from avtal_billing.handlers.billing_runs import UnitsOfWork, run_billing
from avtal_billing.settings import BillingSettings
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.api import responses
from avtal_common.api.commands import BillingRunIn
from avtal_common.api.pagination import Limit, Offset, Page


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
        invoice_per=run.invoice_per,
        started_at=run.started_at,
        finished_at=run.finished_at,
        totals=[responses.CurrencyTotal(**t.__dict__) for t in run.totals],
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
            per = data.invoice_per or settings.invoice_per
            cmd = RunBilling(
                as_of,
                run_key,
                settings.payment_terms_days,
                today,
                per,
                settings.run_chunk,
                settings.run_workers,
            )
            run = await run_billing(uows, cmd)
        except RunRefused as exc:
            raise ProblemDetailsException(
                status_code=400, title="Billing run refused", detail=str(exc)
            ) from exc
        return _out(run)

    @get("/preview")
    async def preview(self, uow: BillingUnitOfWork, as_of: date | None = None) -> list[responses.RunPreview]:
        """What a run up to `as_of` (default today) would bill, per currency; writes nothing."""
        async with uow:
            rows = await uow.schedules.preview(as_of or datetime.now(UTC).date())
        return [responses.RunPreview(**r) for r in rows]

    @get("/")
    async def list_runs(self, uow: BillingUnitOfWork, limit: Limit = 20, offset: Offset = 0) -> Page[RunOut]:
        """Runs, newest first (their failures and totals on each run's own page)."""
        async with uow:
            found, total = await uow.runs.list(limit, offset)
        return Page(items=[_out(r) for r in found], total=total, limit=limit, offset=offset)

    @get("/{run_key:str}/pdfs.zip", media_type="application/zip")
    async def run_pdfs(self, run_key: str, uow: BillingUnitOfWork) -> Response[bytes]:
        """Every rendered PDF of the run in one ZIP (named by invoice number)."""
        async with uow:
            await uow.runs.get(run_key, failures_listed=0)  # 404 for an unknown run
            pdfs = await uow.invoices.run_pdfs(run_key)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:  # PDFs are compressed already
            for name, pdf in pdfs:
                z.writestr(f"{name}.pdf", pdf)
        return Response(buffer.getvalue(), media_type="application/zip")

    @get("/{run_key:str}")
    async def get_run(self, run_key: str, uow: BillingUnitOfWork) -> RunOut:
        """A run: its invoices, and the periods it failed on that are still unbilled (first 1,000)."""
        async with uow:
            return _out(await uow.runs.get(run_key))
