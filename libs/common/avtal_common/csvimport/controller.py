"""The internal HTTP API of CSV imports, the same in every service that has them: upload a file as a
tracked job, run it again, follow it, list jobs and saved mappings."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.status_codes import HTTP_202_ACCEPTED

from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.csvimport.job_store import ImportUnitOfWork
from avtal_common.csvimport.jobs import ImportJob, ImportRun, SavedMapping
from avtal_common.csvimport.report import Encoding, Mode
from avtal_common.csvimport.runner import ImportRunner, SubmitImport, Targets, rerun_import, submit_import
from avtal_common.csvimport.upload import read_capped
from avtal_common.errors import DomainError
from avtal_common.runtime import Runtime


def import_dependencies(
    rt: Runtime, units: Callable[[], ImportUnitOfWork], targets: Targets, max_bytes: int
) -> dict[str, Provide]:
    """`ServiceSpec.dependencies` of the import routes: a unit of work with the jobs, the runner (one per
    process), the upload cap."""

    def runner() -> ImportRunner:
        found: ImportRunner = rt.state.setdefault(
            "csv_imports", ImportRunner(units, rt.db, targets, rt.spec.name)
        )
        return found

    return {
        "import_uow": Provide(units, sync_to_thread=False),
        "import_runner": Provide(runner, sync_to_thread=False),
        "import_max_bytes": Provide(lambda: max_bytes, sync_to_thread=False),
    }


def parse_mapping(raw: str | None, example: str) -> dict[str, str]:
    """The `mapping` query parameter: a JSON object of CSV header → field."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise DomainError(f"mapping must be a JSON object of header → field: {exc}") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise DomainError(f"mapping must be a JSON object of header → field, e.g. {example}")
    return {str(k): v for k, v in value.items()}


def _checked(kind: str, kinds: tuple[str, ...]) -> str:
    if kind not in kinds:
        raise DomainError(f"kind must be one of {', '.join(kinds)}, got {kind[:50]!r}")
    return kind


def import_controller(kinds: tuple[str, ...], mapping_example: str) -> type[Controller]:
    """The `/imports` routes for a service importing `kinds` of files (shown as the enum of `kind`)."""
    kind_param = Parameter(description=f"one of {', '.join(kinds)}", schema_extra={"enum": list(kinds)})

    class ImportController(Controller):
        path = "/imports"

        @post("/", status_code=HTTP_202_ACCEPTED, request_max_body_size=None)
        async def upload(
            self,
            request: Request[Any, Any, Any],
            import_uow: ImportUnitOfWork,
            import_runner: ImportRunner,
            import_max_bytes: int,
            kind: str = kind_param,
            encoding: Encoding = "utf-8",
            decimal_comma: bool = False,
            mode: Mode = "all_or_nothing",
            dry_run: bool = False,
            mapping: str | None = None,
            mapping_name: str | None = Parameter(default=None, max_length=100),
            save_mapping_as: str | None = Parameter(default=None, max_length=100),
            file_name: str = Parameter(default="", max_length=200),
            created_by: str = Parameter(default="api", max_length=200),
        ) -> ImportJob:
            """The body is the CSV file; the job runs in the background (GET /imports/{job_id})."""
            _checked(kind, kinds)
            data = await read_capped(request, import_max_bytes)
            run = ImportRun(
                encoding=encoding,
                decimal_comma=decimal_comma,
                mode=mode,
                dry_run=dry_run,
                mapping=parse_mapping(mapping, mapping_example),
                mapping_name=mapping_name,
                save_mapping_as=save_mapping_as,
            )
            job = await submit_import(import_uow, SubmitImport(kind, file_name, data, run, created_by))
            import_runner.start(job.job_id)
            return job

        @post("/{job_id:uuid}/runs", status_code=HTTP_202_ACCEPTED)
        async def rerun(
            self,
            import_uow: ImportUnitOfWork,
            import_runner: ImportRunner,
            job_id: uuid.UUID,
            data: ImportRun,
        ) -> ImportJob:
            job = await rerun_import(import_uow, job_id, data)
            import_runner.start(job_id)
            return job

        @get("/{job_id:uuid}")
        async def get_job(self, import_uow: ImportUnitOfWork, job_id: uuid.UUID) -> ImportJob:
            async with import_uow as uow:
                return await uow.import_jobs.get(job_id)

        @get("/")
        async def list_jobs(
            self, import_uow: ImportUnitOfWork, limit: Limit = 20, offset: Offset = 0
        ) -> Page[ImportJob]:
            async with import_uow as uow:
                jobs, total = await uow.import_jobs.list(limit, offset), await uow.import_jobs.count()
            return Page[ImportJob](items=jobs, total=total, limit=limit, offset=offset)

        @get("/mappings/{kind:str}")
        async def mappings(self, import_uow: ImportUnitOfWork, kind: str) -> list[SavedMapping]:
            async with import_uow as uow:
                return await uow.import_jobs.mappings(_checked(kind, kinds))

    return ImportController
