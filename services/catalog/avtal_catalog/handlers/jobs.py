"""The price update tool: preview a rule's changes, apply them as one job, revert the whole job."""

from __future__ import annotations

import uuid

from avtal_catalog.adapters.contracts import ContractUsage
from avtal_catalog.domain.commands import PreviewPriceJob
from avtal_catalog.domain.jobs import PriceJob, check_can_apply, check_can_revert, plan, revenue_impact
from avtal_catalog.store.uow import CatalogUnitOfWork
from avtal_common.logging import current_correlation_id


async def preview_price_job(uow: CatalogUnitOfWork, usage: ContractUsage, cmd: PreviewPriceJob) -> PriceJob:
    """Keeps the job's rows (old → new); no price changes until it is applied."""
    changes = plan(cmd.rule, await uow.jobs.candidates(cmd.selection, cmd.effective_from))
    impact = revenue_impact(changes, await usage.annual_values({c.entry.product_id for c in changes}))
    job = PriceJob(
        uuid.uuid4(),
        "previewed",
        cmd.selection,
        cmd.rule,
        cmd.effective_from,
        cmd.by,
        row_count=len(changes),
        revenue_impact=impact,
    )
    await uow.jobs.add(job, changes)
    return job


async def apply_price_job(uow: CatalogUnitOfWork, job_id: uuid.UUID, by: str) -> PriceJob:
    """Writes exactly the previewed rows and one catalog.price.changed per product, atomically."""
    job = await uow.jobs.get(job_id, for_update=True)
    check_can_apply(job)
    await uow.jobs.apply(job, by, current_correlation_id())
    return await uow.jobs.get(job_id)


async def revert_price_job(uow: CatalogUnitOfWork, job_id: uuid.UUID, by: str) -> PriceJob:
    """Every old price back as it was; the job's new entries are removed."""
    job = await uow.jobs.get(job_id, for_update=True)
    check_can_revert(job)
    await uow.jobs.revert(job, by, current_correlation_id())
    return await uow.jobs.get(job_id)
