"""Contracts background loops: the bulk job worker (claims batches SKIP LOCKED) and the daily calendar."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from avtal_common.logging import bind_correlation_id, get_logger
from avtal_common.loops import drain_forever
from avtal_common.runtime import Runtime
from avtal_contracts.api.calendar import run_command
from avtal_contracts.handlers.bulk_runs import work_once
from avtal_contracts.handlers.calendar import run_calendar
from avtal_contracts.settings import ContractsSettings
from avtal_contracts.store.calendar import run_lock
from avtal_contracts.store.uow import ContractsUnitOfWork

log = get_logger(__name__)


def _unit(rt: Runtime) -> ContractsUnitOfWork:
    uow = rt.uow()
    assert isinstance(uow, ContractsUnitOfWork)
    return uow


async def bulk_worker(rt: Runtime) -> None:
    """Apply queued bulk jobs for the life of the process: `bulk_workers` loops, each taking one batch of
    each open job at a time (they claim apart, like replicas do)."""
    assert isinstance(rt.settings, ContractsSettings)
    size, idle = rt.settings.bulk_batch_size, rt.settings.bulk_poll_s
    loops = [
        drain_forever(lambda: work_once(lambda: _unit(rt), size), "contracts.bulk", idle_s=idle)
        for _ in range(rt.settings.bulk_workers)
    ]
    await asyncio.gather(*loops)


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
