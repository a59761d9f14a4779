"""Public JSON API of bulk operations on contracts (staff): search, preview, jobs, results, undo."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from litestar import Controller, Request, get, post
from litestar.params import Parameter

from avtal_common.api import responses
from avtal_common.api.commands import BulkJobIn, ContractSelectionIn
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.api.problems import COMMAND, READ, STAFF_READ, problems
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import contracts_bulk as handlers

State = Parameter(query="state", required=False, description="pending, applied or failed")


class ContractSearchApiController(Controller):
    path = "/api/v1/contracts/search"
    tags = ["contracts and invoices"]

    @post("/", status_code=200, responses=problems(*READ, 403, 415))
    async def search(
        self,
        services: Services,
        request: Request[User, Any, Any],
        data: ContractSelectionIn,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[responses.Contract]:
        """Contracts matching the selection in a body (a long list of contract numbers); a customer user
        gets only its own."""
        return await handlers.search(services, request.user, data, limit, offset)


class BulkJobApiController(Controller):
    path = "/api/v1/bulk-jobs"
    guards = [staff_only]
    tags = ["staff"]

    @post("/preview", status_code=200, responses=problems(*COMMAND))
    async def preview(
        self, services: Services, data: BulkJobIn, limit: Limit = 100, offset: Offset = 0
    ) -> responses.BulkPreview:
        """What the job would do to each contract of one page of the selection; writes nothing."""
        return await handlers.preview(services, data, limit, offset)

    @post("/", status_code=202, responses=problems(*COMMAND))
    async def start(self, services: Services, data: BulkJobIn) -> responses.BulkJob:
        """Queued; follow it at /api/v1/bulk-jobs/{job_id}."""
        return await handlers.start(services, data)

    @get("/", responses=problems(*STAFF_READ))
    async def list_jobs(
        self, services: Services, limit: Limit = 100, offset: Offset = 0
    ) -> Page[responses.BulkJob]:
        return await handlers.jobs(services, limit, offset)

    @get("/{job_id:uuid}", responses=problems(*STAFF_READ, 404))
    async def job(self, services: Services, job_id: uuid.UUID) -> responses.BulkJob:
        return await handlers.job(services, job_id)

    @get("/{job_id:uuid}/contracts", responses=problems(*STAFF_READ, 404))
    async def contracts(
        self,
        services: Services,
        job_id: uuid.UUID,
        outcome: Literal["pending", "applied", "failed"] | None = State,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[responses.BulkJobContract]:
        """Each contract's result; `state=failed` lists the failures with their reasons."""
        return await handlers.job_contracts(services, job_id, outcome, limit, offset)

    @post("/{job_id:uuid}/undo", status_code=202, responses=problems(*COMMAND))
    async def undo(self, services: Services, job_id: uuid.UUID) -> responses.BulkJob:
        """A new job restoring what this co-terminate or edit job changed (contracts changed since are
        refused)."""
        return await handlers.undo(services, job_id)


BULK_API_ROUTES = [ContractSearchApiController, BulkJobApiController]
