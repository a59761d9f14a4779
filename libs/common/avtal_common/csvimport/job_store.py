"""Import jobs and saved mappings (asyncpg): the `import_jobs` and `import_mappings` tables every service
with CSV imports has (the same migration in each), and what a unit of work carrying them looks like."""

from __future__ import annotations

import builtins
import uuid
from typing import Any

import asyncpg

from avtal_common.csvimport import ImportReport
from avtal_common.csvimport.jobs import ImportJob, ImportRun, SavedMapping
from avtal_common.errors import NotFound
from avtal_common.uow import UnitOfWork

_COLUMNS = """job_id, kind, status, file_name, size_bytes, options, bytes_done, rows_done, report, error,
created_by, created_at, started_at, finished_at"""
_ADD = """
INSERT INTO import_jobs (job_id, kind, status, file_name, size_bytes, source, options, created_by)
VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7)
"""
_GET = f"SELECT {_COLUMNS} FROM import_jobs WHERE job_id = $1"
_SOURCE = "SELECT source FROM import_jobs WHERE job_id = $1"
_LIST = f"SELECT {_COLUMNS} FROM import_jobs ORDER BY created_at DESC LIMIT $1 OFFSET $2"
_COUNT = "SELECT count(*) FROM import_jobs"
_QUEUE = """
UPDATE import_jobs SET status = 'queued', options = $2, report = NULL, error = NULL, bytes_done = 0,
    rows_done = 0, started_at = NULL, finished_at = NULL
WHERE job_id = $1 AND status IN ('done', 'failed')
"""
_START = "UPDATE import_jobs SET status = 'running', started_at = now() WHERE job_id = $1"
_PROGRESS = "UPDATE import_jobs SET bytes_done = $2, rows_done = $3 WHERE job_id = $1 AND status = 'running'"
_FINISH = """
UPDATE import_jobs SET status = $2, report = $3, error = $4, finished_at = now(),
    rows_done = coalesce(($3::jsonb ->> 'rows_read')::int, rows_done)
WHERE job_id = $1
"""
_SAVE_MAPPING = """
INSERT INTO import_mappings (kind, name, mapping) VALUES ($1, $2, $3)
ON CONFLICT (kind, name) DO UPDATE SET mapping = EXCLUDED.mapping, saved_at = now()
"""
_MAPPING = "SELECT kind, name, mapping FROM import_mappings WHERE kind = $1 AND name = $2"
_MAPPINGS = "SELECT kind, name, mapping FROM import_mappings WHERE kind = $1 ORDER BY name"


class ImportJobRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self, job_id: uuid.UUID, kind: str, file_name: str, data: bytes, run: ImportRun, by: str
    ) -> None:
        await self._conn.execute(_ADD, job_id, kind, file_name, len(data), data, run.model_dump(), by)

    async def get(self, job_id: uuid.UUID) -> ImportJob:
        row = await self._conn.fetchrow(_GET, job_id)
        if row is None:
            raise NotFound(f"import job {job_id} does not exist")
        return _job(row)

    async def source(self, job_id: uuid.UUID) -> bytes:
        data: bytes = await self._conn.fetchval(_SOURCE, job_id)
        return data

    async def list(self, limit: int, offset: int) -> list[ImportJob]:
        return [_job(r) for r in await self._conn.fetch(_LIST, limit, offset)]

    async def count(self) -> int:
        return int(await self._conn.fetchval(_COUNT))

    async def queue(self, job_id: uuid.UUID, run: ImportRun) -> bool:
        """Queue another run of a finished job; False while a run is still queued or running."""
        return str(await self._conn.execute(_QUEUE, job_id, run.model_dump())) == "UPDATE 1"

    async def start(self, job_id: uuid.UUID) -> None:
        await self._conn.execute(_START, job_id)

    async def progress(self, job_id: uuid.UUID, bytes_done: int, rows_done: int) -> None:
        await self._conn.execute(_PROGRESS, job_id, bytes_done, rows_done)

    async def finish(self, job_id: uuid.UUID, report: ImportReport | None, error: str | None = None) -> None:
        status = "failed" if error or (report and report.fatal) else "done"
        await self._conn.execute(_FINISH, job_id, status, report.model_dump() if report else None, error)

    async def save_mapping(self, kind: str, name: str, mapping: dict[str, str]) -> None:
        await self._conn.execute(_SAVE_MAPPING, kind, name, mapping)

    async def mapping(self, kind: str, name: str) -> SavedMapping:
        row = await self._conn.fetchrow(_MAPPING, kind, name)
        if row is None:
            raise NotFound(f"no saved {kind} mapping is called {name!r}")
        return SavedMapping(**dict(row))

    async def mappings(self, kind: str) -> builtins.list[SavedMapping]:
        return [SavedMapping(**dict(r)) for r in await self._conn.fetch(_MAPPINGS, kind)]


def _job(row: asyncpg.Record) -> ImportJob:
    values: dict[str, Any] = dict(row)
    return ImportJob(**values)


class ImportUnitOfWork(UnitOfWork):
    """The base of a service's unit of work with the import jobs beside its other repositories: the
    service's class derives from its own unit of work and this, and binds `import_jobs` too."""

    import_jobs: ImportJobRepo

    def bind_repositories(self, conn: Any) -> None:
        super().bind_repositories(conn)
        self.import_jobs = ImportJobRepo(conn)
