"""CSV imports: products and price lists run in the catalog, customers, covered items and contracts in the
contracts service; upload a file as a job, run it again (mapping, commit), follow it."""

from __future__ import annotations

import json
import uuid
from typing import Any, Literal

from litestar.plugins.problem_details import ProblemDetailsException

from avtal_common.api.pagination import MAX_LIMIT, Page
from avtal_common.csvimport.jobs import ImportJob, ImportRun
from avtal_gateway.adapters.services import Services
from avtal_gateway.domain.users import User
from avtal_gateway.handlers.views import parse

ImportKind = Literal["products", "prices", "customers", "items", "contracts"]
# Which service runs which kind; a job id is looked up in each (ids are random UUIDs: no clash).
OWNER: dict[str, str] = {
    "products": "catalog",
    "prices": "catalog",
    "customers": "contracts",
    "items": "contracts",
    "contracts": "contracts",
}
RUNNERS = ("catalog", "contracts")
# The largest upload the gateway passes on; the catalog's own cap (AVTAL_CATALOG_IMPORT_MAX_BYTES) also holds.
MAX_UPLOAD_BYTES = 128 * 1024 * 1024


def _params(kind: ImportKind, run: ImportRun, file_name: str, user: User) -> dict[str, Any]:
    return {
        "kind": kind,
        "encoding": run.encoding,
        "decimal_comma": str(run.decimal_comma).lower(),
        "mode": run.mode,
        "dry_run": str(run.dry_run).lower(),
        "mapping": json.dumps(run.mapping) if run.mapping else None,
        "mapping_name": run.mapping_name,
        "save_mapping_as": run.save_mapping_as,
        "file_name": file_name[:200],
        "created_by": user.email,
    }


async def submit(
    services: Services, user: User, kind: ImportKind, data: bytes, run: ImportRun, file_name: str
) -> ImportJob:
    params = _params(kind, run, file_name, user)
    service = OWNER[kind]
    raw = await services.json(service, "POST", "/imports/", params=params, content=data)
    job: ImportJob = parse(service, ImportJob, raw)
    return job


async def rerun(services: Services, job_id: uuid.UUID, run: ImportRun) -> ImportJob:
    service = OWNER[(await job(services, job_id)).kind]
    raw = await services.json(service, "POST", f"/imports/{job_id}/runs", json=run.model_dump(mode="json"))
    found: ImportJob = parse(service, ImportJob, raw)
    return found


async def job(services: Services, job_id: uuid.UUID) -> ImportJob:
    """The job from whichever service runs it (404 when none knows it)."""
    for service in RUNNERS:
        try:
            raw = await services.json(service, "GET", f"/imports/{job_id}")
        except ProblemDetailsException as exc:
            if exc.status_code == 404 and service != RUNNERS[-1]:
                continue
            raise
        found: ImportJob = parse(service, ImportJob, raw)
        return found
    raise AssertionError("unreachable: the last service's 404 is raised")


async def jobs(services: Services, limit: int, offset: int) -> Page[ImportJob]:
    """Every service's jobs, newest first: each gives its first offset + limit, merged and cut."""
    merged: list[ImportJob] = []
    total = 0
    for service in RUNNERS:
        raw = await services.json(
            service, "GET", "/imports/", params={"limit": min(offset + limit, MAX_LIMIT), "offset": 0}
        )
        part: Page[ImportJob] = parse(service, Page[ImportJob], raw)
        merged += part.items
        total += part.total
    merged.sort(key=lambda j: j.created_at, reverse=True)
    return Page[ImportJob](items=merged[offset : offset + limit], total=total, limit=limit, offset=offset)
