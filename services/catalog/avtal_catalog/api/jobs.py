"""Catalog internal HTTP API: the price update tool (preview → apply → revert)."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from litestar import Controller, get, post

from avtal_catalog.adapters.contracts import ContractUsage
from avtal_catalog.domain.commands import PreviewPriceJob
from avtal_catalog.domain.jobs import PriceJob
from avtal_catalog.domain.prices import PriceRule, Selection
from avtal_catalog.handlers.jobs import apply_price_job, preview_price_job, revert_price_job
from avtal_catalog.store.uow import CatalogUnitOfWork
from avtal_common.api import catalog
from avtal_common.api.pagination import Limit, Offset, Page


class PriceJobCommand(catalog.PriceJobIn, catalog.ByIn):
    """The public body plus who asks (the gateway sends the signed-in user)."""


def job_out(job: PriceJob) -> catalog.PriceJob:
    values = asdict(job)
    values["selection"] = catalog.SelectionIn(**{**values["selection"], "skus": list(job.selection.skus)})
    values["rule"] = catalog.RuleIn(**values["rule"])
    return catalog.PriceJob(**values)


def _command(d: PriceJobCommand) -> PreviewPriceJob:
    s = d.selection
    selection = Selection(s.vendor, s.distributor, s.category, s.manufacturer, tuple(s.skus))
    rule = PriceRule(d.rule.change, d.rule.value, d.rule.rounding)
    return PreviewPriceJob(selection, rule, d.effective_from, d.by)


class PriceJobController(Controller):
    path = "/price-jobs"

    @post("/")
    async def preview(
        self, uow: CatalogUnitOfWork, usage: ContractUsage, data: PriceJobCommand
    ) -> catalog.PriceJob:
        async with uow:
            return job_out(await preview_price_job(uow, usage, _command(data)))

    @get("/")
    async def list_jobs(
        self, uow: CatalogUnitOfWork, limit: Limit = 100, offset: Offset = 0
    ) -> Page[catalog.PriceJob]:
        async with uow:
            jobs, total = await uow.jobs.list(limit, offset)
        return Page[catalog.PriceJob](
            items=[job_out(j) for j in jobs], total=total, limit=limit, offset=offset
        )

    @get("/{job_id:uuid}")
    async def get_job(self, uow: CatalogUnitOfWork, job_id: uuid.UUID) -> catalog.PriceJob:
        async with uow:
            return job_out(await uow.jobs.get(job_id))

    @get("/{job_id:uuid}/rows")
    async def rows(
        self, uow: CatalogUnitOfWork, job_id: uuid.UUID, limit: Limit = 100, offset: Offset = 0
    ) -> Page[catalog.PriceJobRow]:
        """Old → new per price, by SKU and list."""
        async with uow:
            job = await uow.jobs.get(job_id)
            found = await uow.jobs.rows(job_id, limit, offset)
        items = [catalog.PriceJobRow(**dict(r)) for r in found]
        return Page[catalog.PriceJobRow](items=items, total=job.row_count, limit=limit, offset=offset)

    @post("/{job_id:uuid}/apply")
    async def apply(self, uow: CatalogUnitOfWork, job_id: uuid.UUID, data: catalog.ByIn) -> catalog.PriceJob:
        async with uow:
            return job_out(await apply_price_job(uow, job_id, data.by))

    @post("/{job_id:uuid}/revert")
    async def revert(self, uow: CatalogUnitOfWork, job_id: uuid.UUID, data: catalog.ByIn) -> catalog.PriceJob:
        async with uow:
            return job_out(await revert_price_job(uow, job_id, data.by))
