"""Background loops of the contracts service: the daily calendar run."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from avtal_common.logging import bind_correlation_id, get_logger
from avtal_common.runtime import Runtime
from avtal_contracts.api.calendar import run_command
from avtal_contracts.handlers.calendar import run_calendar
from avtal_contracts.settings import ContractsSettings
from avtal_contracts.store.calendar import run_lock
from avtal_contracts.store.uow import ContractsUnitOfWork

log = get_logger(__name__)


async def calendar_daily(rt: Runtime) -> None:
    """Runs the calendar at start (catching up whatever came due while the service was down), then once a
    day after `calendar_run_at` (UTC). A failed run is tried again 30 s later."""
    settings = rt.settings
    assert isinstance(settings, ContractsSettings)
    if settings.calendar_run_at is None or not settings.calendar_daily:
        return
    done: date | None = None
    while True:
        now = datetime.now(UTC)
        if done != now.date() and (done is None or now.time() >= settings.calendar_run_at):
            try:
                await _run(rt, settings, now.date())
                done = now.date()
            except Exception as exc:  # noqa: BLE001 - tried again on the next pass
                log.warning("contracts.calendar_run_failed", error=repr(exc))
        await asyncio.sleep(30)


async def _run(rt: Runtime, settings: ContractsSettings, today: date) -> None:
    bind_correlation_id(None)  # a fresh id per run
    uow = rt.uow()
    assert isinstance(uow, ContractsUnitOfWork)
    async with run_lock(rt.db):
        report = await run_calendar(uow, run_command(settings, today))
    log.info(
        "contracts.calendar_run", today=str(today), due=report.due, moved=report.moved,
        reminders=report.reminders, renewed=len(report.renewed), waiting=len(report.waiting),
        failed=len(report.failed),
    )  # fmt: skip
