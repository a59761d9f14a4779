"""CSV imports through the catalog: upload a file as a job, run it again (mapping, commit), follow it."""

from __future__ import annotations

import json
import uuid
from typing import Any, Literal

from avtal_common.api.pagination import Page
from avtal_common.csvimport.jobs import ImportJob, ImportRun
from avtal_gateway.adapters.services import Services
from avtal_gateway.domain.users import User
from avtal_gateway.handlers.views import parse

ImportKind = Literal["products", "prices"]
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
    raw = await services.json("catalog", "POST", "/imports/", params=params, content=data)
    job: ImportJob = parse("catalog", ImportJob, raw)
    return job


async def rerun(services: Services, job_id: uuid.UUID, run: ImportRun) -> ImportJob:
    raw = await services.json("catalog", "POST", f"/imports/{job_id}/runs", json=run.model_dump(mode="json"))
    job: ImportJob = parse("catalog", ImportJob, raw)
    return job


async def job(services: Services, job_id: uuid.UUID) -> ImportJob:
    found: ImportJob = parse(
        "catalog", ImportJob, await services.json("catalog", "GET", f"/imports/{job_id}")
    )
    return found


async def jobs(services: Services, limit: int, offset: int) -> Page[ImportJob]:
    raw = await services.json("catalog", "GET", "/imports/", params={"limit": limit, "offset": offset})
    page: Page[ImportJob] = parse("catalog", Page[ImportJob], raw)
    return page
