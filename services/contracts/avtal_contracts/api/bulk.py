"""Contracts internal HTTP API: contract search and bulk jobs (preview → apply → progress → undo)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date
from typing import Literal

from litestar import Controller, get, post
from litestar.params import Parameter

from avtal_common.api import responses
from avtal_common.api.actor import ActorHeader
from avtal_common.api.commands import BulkJobIn, ContractSelectionIn, ContractStatus
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.api.text import QueryText
from avtal_contracts.api.contracts import ContractOut
from avtal_contracts.handlers.bulk import StartBulkJob
from avtal_contracts.handlers.bulk_runs import preview_bulk_job, start_bulk_job, undo_bulk_job
from avtal_contracts.settings import ContractsSettings
from avtal_contracts.store.bulk_jobs import BulkJob
from avtal_contracts.store.search import Selection
from avtal_contracts.store.uow import ContractsUnitOfWork

ContractNos = Parameter(query="contract_no", required=False, max_items=1000)
StateParam = Parameter(query="state", required=False, description="pending, applied or failed")
Today = Parameter(query="today", required=False, description="the day the calendar's status is for")


def selection(s: ContractSelectionIn) -> Selection:
    return Selection(
        s.customer_id, s.site_id, s.sku, s.vendor, s.end_from, s.end_to, s.status,
        tuple(s.contract_nos), tuple(s.contract_ids),
    )  # fmt: skip


def start_command(data: BulkJobIn, actor: str) -> StartBulkJob:
    params = data.model_dump(mode="json", exclude={"kind", "selection"}, exclude_none=True)
    return StartBulkJob(data.kind, selection(data.selection), params, actor)


def job_out(job: BulkJob) -> responses.BulkJob:
    return responses.BulkJob(**asdict(job))


async def _page(
    uow: ContractsUnitOfWork, s: Selection, today: date, days: int, limit: int, offset: int
) -> Page[ContractOut]:
    async with uow:
        rows, total = await uow.search.search(s, today, days, limit, offset)
        found = await uow.contracts.load(rows)
    items = [ContractOut.of(c, today, days) for c in found]
    return Page[ContractOut](items=items, total=total, limit=limit, offset=offset)


class ContractSearchController(Controller):
    path = "/contracts/search"

    @get("/")
    async def search(
        self,
        uow: ContractsUnitOfWork,
        settings: ContractsSettings,
        customer_id: uuid.UUID | None = None,
        site_id: uuid.UUID | None = None,
        sku: QueryText = None,
        vendor: QueryText = None,
        end_from: date | None = None,
        end_to: date | None = None,
        status: ContractStatus | None = None,
        contract_no: list[str] | None = ContractNos,
        today: date | None = Today,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[ContractOut]:
        """Contracts matching every given filter, by number, with the total."""
        s = Selection(
            customer_id, site_id, sku, vendor, end_from, end_to, status, tuple(contract_no or ())
        )  # fmt: skip
        return await _page(uow, s, today or date.today(), settings.expiring_days, limit, offset)

    @post("/", status_code=200)
    async def search_by_body(
        self,
        uow: ContractsUnitOfWork,
        settings: ContractsSettings,
        data: ContractSelectionIn,
        today: date | None = Today,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[ContractOut]:
        """The same with the selection as a body (an uploaded list of contract numbers can be long)."""
        return await _page(uow, selection(data), today or date.today(), settings.expiring_days, limit, offset)


class BulkJobController(Controller):
    path = "/bulk-jobs"

    @post("/preview", status_code=200)
    async def preview(
        self,
        uow: ContractsUnitOfWork,
        settings: ContractsSettings,
        data: BulkJobIn,
        actor: str = ActorHeader,
        today: date | None = Today,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> responses.BulkPreview:
        """Per contract of one page of the selection: what changes and its revenue impact. Writes nothing."""
        cmd = start_command(data, actor)
        async with uow:
            found = await preview_bulk_job(
                uow, cmd, today or date.today(), settings.expiring_days, limit, offset
            )
        items = [responses.BulkPreviewRow(**asdict(r)) for r in found.rows]
        return responses.BulkPreview(
            kind=data.kind, params=found.params, total=found.total, impact=found.impact, items=items,
            limit=limit, offset=offset,
        )  # fmt: skip

    @post("/", status_code=202)
    async def start(
        self,
        uow: ContractsUnitOfWork,
        settings: ContractsSettings,
        data: BulkJobIn,
        actor: str = ActorHeader,
        today: date | None = Today,
    ) -> responses.BulkJob:
        """The job is queued; the service's workers apply it in batches (follow it at /bulk-jobs/{id})."""
        async with uow:
            job = await start_bulk_job(
                uow, start_command(data, actor), today or date.today(), settings.expiring_days
            )
        return job_out(job)

    @get("/")
    async def list_jobs(
        self, uow: ContractsUnitOfWork, limit: Limit = 100, offset: Offset = 0
    ) -> Page[responses.BulkJob]:
        async with uow:
            jobs, total = await uow.bulk_jobs.list_jobs(limit, offset)
        return Page[responses.BulkJob](
            items=[job_out(j) for j in jobs], total=total, limit=limit, offset=offset
        )

    @get("/{job_id:uuid}")
    async def get_job(self, uow: ContractsUnitOfWork, job_id: uuid.UUID) -> responses.BulkJob:
        async with uow:
            return job_out(await uow.bulk_jobs.get(job_id))

    @get("/{job_id:uuid}/contracts")
    async def contracts(
        self,
        uow: ContractsUnitOfWork,
        job_id: uuid.UUID,
        outcome: Literal["pending", "applied", "failed"] | None = StateParam,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[responses.BulkJobContract]:
        """Each contract's result (`state=failed`: the failures with their reasons)."""
        async with uow:
            await uow.bulk_jobs.get(job_id)
            rows, total = await uow.bulk_jobs.items(job_id, outcome, limit, offset)
        items = [responses.BulkJobContract(**r) for r in rows]
        return Page[responses.BulkJobContract](items=items, total=total, limit=limit, offset=offset)

    @post("/{job_id:uuid}/undo", status_code=202)
    async def undo(
        self, uow: ContractsUnitOfWork, job_id: uuid.UUID, actor: str = ActorHeader
    ) -> responses.BulkJob:
        """A new job that restores what this one changed, contract by contract (refusing contracts
        changed since)."""
        async with uow:
            return job_out(await undo_bulk_job(uow, job_id, actor))
