"""CSV imports (staff only) of products and price lists (run by the catalog) and of customers, covered
items and contracts (run by the contracts service): the public API and the portal's
upload → mapping → report → commit screens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_202_ACCEPTED

from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.csvimport.jobs import ImportJob, ImportRun
from avtal_common.csvimport.report import Encoding, Mode
from avtal_common.csvimport.upload import read_capped
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.api.problems import COMMAND, READ_ONE, STAFF_READ, problems
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import imports
from avtal_gateway.handlers.imports import MAX_UPLOAD_BYTES, ImportKind

PAGE = 20


class ImportApiController(Controller):
    """`POST /api/v1/imports?kind=products` with the CSV as a `text/csv` body; then follow the job."""

    path = "/api/v1/imports"
    guards = [staff_only]
    tags = ["imports"]

    @post("/", status_code=HTTP_202_ACCEPTED, request_max_body_size=None, responses=problems(*COMMAND, 413))
    async def upload(
        self,
        request: Request[User, Any, Any],
        services: Services,
        kind: ImportKind,
        encoding: Encoding = "utf-8",
        decimal_comma: bool = False,
        mode: Mode = "all_or_nothing",
        dry_run: bool = False,
        mapping_name: str | None = Parameter(default=None, max_length=100),
        file_name: str = Parameter(default="", max_length=200),
    ) -> ImportJob:
        """Import a CSV of `kind` (products, prices, customers, items or contracts), sent as the `text/csv`
        body (up to 128 MiB; contracts' kinds up to 64 MiB). A dry run
        validates and reports without committing; follow the job with GET /api/v1/imports/{job_id}."""
        data = await read_capped(request, MAX_UPLOAD_BYTES)
        run = ImportRun(
            encoding=encoding,
            decimal_comma=decimal_comma,
            mode=mode,
            dry_run=dry_run,
            mapping_name=mapping_name,
        )
        return await imports.submit(services, request.user, kind, data, run, file_name)

    @get("/", responses=problems(*STAFF_READ))
    async def list_imports(
        self, services: Services, limit: Limit = 20, offset: Offset = 0
    ) -> Page[ImportJob]:
        return await imports.jobs(services, limit, offset)

    @get("/{job_id:uuid}", responses=problems(*READ_ONE))
    async def get_import(self, services: Services, job_id: uuid.UUID) -> ImportJob:
        """The job's status, progress and (when finished) its report."""
        return await imports.job(services, job_id)

    @post("/{job_id:uuid}/runs", status_code=HTTP_202_ACCEPTED, responses=problems(*COMMAND))
    async def run_again(self, services: Services, job_id: uuid.UUID, data: ImportRun) -> ImportJob:
        """Run the uploaded file again: the real import after a dry run, or with another mapping."""
        return await imports.rerun(services, job_id, data)


@dataclass
class UploadForm:
    file: UploadFile
    kind: ImportKind = "products"
    encoding: Encoding = "utf-8"
    decimal_comma: str | None = None  # a checkbox: present when ticked
    mapping_name: str | None = None


@dataclass
class CommitForm:
    mode: Mode = "all_or_nothing"


MultiPart = Body(media_type=RequestEncodingType.MULTI_PART)
Form = Body(media_type=RequestEncodingType.URL_ENCODED)


def _see(job_id: uuid.UUID) -> Redirect:
    return Redirect(f"/imports/{job_id}", status_code=303)


class ImportPagesController(Controller):
    path = "/imports"
    guards = [staff_only]
    include_in_schema = False

    @get("/")
    async def imports_page(
        self, services: Services, request: Request[User, Any, Any], offset: int = Parameter(ge=0, default=0)
    ) -> Template:
        jobs = await imports.jobs(services, PAGE, offset)
        return Template("imports.html", context={"user": request.user, "jobs": jobs})

    @post("/", request_max_body_size=MAX_UPLOAD_BYTES)
    async def upload(
        self, services: Services, request: Request[User, Any, Any], data: Annotated[UploadForm, MultiPart]
    ) -> Redirect:
        """Every upload starts as a dry run: the report comes first, the commit is a second step."""
        run = ImportRun(
            encoding=data.encoding,
            decimal_comma=data.decimal_comma is not None,
            dry_run=True,
            mapping_name=data.mapping_name or None,
        )
        body = await data.file.read()
        job = await imports.submit(services, request.user, data.kind, body, run, data.file.filename or "")
        return _see(job.job_id)

    @get("/{job_id:uuid}")
    async def job_page(
        self, services: Services, request: Request[User, Any, Any], job_id: uuid.UUID
    ) -> Template:
        job = await imports.job(services, job_id)
        # The Refresh header (no inline script, no <head> change): the page follows a running job.
        follow = {"Refresh": "2"} if job.status in ("queued", "running") else None
        return Template("import_job.html", context={"user": request.user, "job": job}, headers=follow)

    @post("/{job_id:uuid}/mapping")
    async def map_columns(
        self, services: Services, job_id: uuid.UUID, data: Annotated[dict[str, str], Form]
    ) -> Redirect:
        """Another dry run with the columns chosen on the page (`map:<field>` = header)."""
        job = await imports.job(services, job_id)
        mapping = {header: key[4:] for key, header in data.items() if key.startswith("map:") and header}
        run = job.options.model_copy(
            update={"mapping": mapping, "dry_run": True, "save_mapping_as": data.get("save_as") or None}
        )
        await imports.rerun(services, job_id, run)
        return _see(job_id)

    @post("/{job_id:uuid}/commit")
    async def commit(
        self, services: Services, job_id: uuid.UUID, data: Annotated[CommitForm, Form]
    ) -> Redirect:
        """The real import, with the options of the last dry run and the chosen mode."""
        job = await imports.job(services, job_id)
        run = job.options.model_copy(update={"dry_run": False, "mode": data.mode, "save_mapping_as": None})
        await imports.rerun(services, job_id, run)
        return _see(job_id)
