"""Import use cases every service with CSV imports shares: keep an upload as a job, run it in the
background (dry or for real) into the service's target for its kind, track it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from avtal_common.csvimport import ImportOptions, ImportReport, ImportTarget, run_import
from avtal_common.csvimport.job_store import ImportUnitOfWork
from avtal_common.csvimport.jobs import ImportJob, ImportRun
from avtal_common.errors import Conflict
from avtal_common.logging import get_logger

log = get_logger(__name__)
Units = Callable[[], ImportUnitOfWork]
# The service's import of one kind of file; given the job (for its audit) and the file's bytes.
Targets = Callable[[str, ImportJob, bytes], ImportTarget]
PROGRESS_EVERY_S = 0.5


@dataclass(frozen=True)
class SubmitImport:
    """Keep an uploaded file as an import job and run it with `run`'s options."""

    kind: str
    file_name: str
    data: bytes
    run: ImportRun
    created_by: str


async def submit_import(uow: ImportUnitOfWork, cmd: SubmitImport) -> ImportJob:
    job_id = uuid.uuid4()
    async with uow:
        await uow.import_jobs.add(job_id, cmd.kind, cmd.file_name, cmd.data, cmd.run, cmd.created_by)
        return await uow.import_jobs.get(job_id)


async def rerun_import(uow: ImportUnitOfWork, job_id: uuid.UUID, run: ImportRun) -> ImportJob:
    """Run a finished job's file again (the real import after a dry run, or with another mapping)."""
    async with uow:
        await uow.import_jobs.get(job_id)
        if not await uow.import_jobs.queue(job_id, run):
            raise Conflict(f"import job {job_id} is still running; wait for its report")
        return await uow.import_jobs.get(job_id)


async def run_job(units: Units, pool: asyncpg.Pool, targets: Targets, job_id: uuid.UUID) -> ImportReport:
    """Run the job's queued options over its file; the report (or the failure) is kept on the job."""
    async with units() as uow:
        job, data = await uow.import_jobs.get(job_id), await uow.import_jobs.source(job_id)
        options = await _options(uow, job)
        await uow.import_jobs.start(job_id)
    seen = [0, 0]
    flushing = asyncio.create_task(_flush_progress(units, job_id, seen))
    try:
        async with pool.acquire() as conn:
            report = await run_import(conn, data, targets(job.kind, job, data), options, _tracker(seen))
    finally:
        flushing.cancel()
    async with units() as uow:
        if job.options.save_mapping_as and report.mapping and not report.fatal:
            header_to_field = {header: field for field, header in report.mapping.items()}
            await uow.import_jobs.save_mapping(job.kind, job.options.save_mapping_as, header_to_field)
        await uow.import_jobs.finish(job_id, report)
    return report


async def _options(uow: ImportUnitOfWork, job: ImportJob) -> ImportOptions:
    run = job.options
    mapping = run.mapping
    if not mapping and run.mapping_name:
        mapping = (await uow.import_jobs.mapping(job.kind, run.mapping_name)).mapping
    return ImportOptions(
        encoding=run.encoding,
        decimal_comma=run.decimal_comma,
        mode=run.mode,
        dry_run=run.dry_run,
        mapping=mapping,
    )


def _tracker(seen: list[int]) -> Callable[[ImportReport, int], None]:
    def progress(report: ImportReport, bytes_done: int) -> None:
        seen[:] = [bytes_done, report.rows_read]

    return progress


async def _flush_progress(units: Units, job_id: uuid.UUID, seen: list[int]) -> None:
    """The import's own transaction is not visible until it ends: progress goes through another one."""
    while True:
        await asyncio.sleep(PROGRESS_EVERY_S)
        async with units() as uow:
            await uow.import_jobs.progress(job_id, seen[0], seen[1])


class ImportRunner:
    """Runs queued jobs one at a time in this process (an import uses a connection and a core)."""

    def __init__(self, units: Units, pool: asyncpg.Pool, targets: Targets, service: str) -> None:
        self._units, self._pool, self._targets, self._service = units, pool, targets, service
        self._one_at_a_time = asyncio.Semaphore(1)
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, job_id: uuid.UUID) -> None:
        task = asyncio.create_task(self._run(job_id))
        self._tasks.add(task)  # a task nobody references may be garbage-collected mid-run
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job_id: uuid.UUID) -> None:
        async with self._one_at_a_time:
            try:
                await run_job(self._units, self._pool, self._targets, job_id)
            except Exception as exc:
                log.exception("import.failed", service=self._service, job_id=str(job_id))
                async with self._units() as uow:
                    await uow.import_jobs.finish(job_id, None, f"{type(exc).__name__}: {exc}")
