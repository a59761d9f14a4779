"""Price jobs: a previewed set of price changes that is applied, then maybe reverted, as one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from avtal_catalog.domain.prices import PriceChange, PriceEntry, PriceRule, Selection, changed
from avtal_common.errors import Conflict

JobStatus = Literal["previewed", "applied", "reverted"]


@dataclass(frozen=True)
class PriceJob:
    job_id: uuid.UUID
    status: JobStatus
    selection: Selection
    rule: PriceRule
    effective_from: date
    created_by: str
    row_count: int = 0
    revenue_impact: dict[str, Decimal] = field(default_factory=dict)
    created_at: datetime | None = None
    applied_by: str | None = None
    applied_at: datetime | None = None
    reverted_by: str | None = None
    reverted_at: datetime | None = None


def plan(rule: PriceRule, entries: list[PriceEntry]) -> list[PriceChange]:
    """The rows a job changes: each current entry with its new price; unchanged prices are left out."""
    changes = [PriceChange(e, changed(rule, e.list_price)) for e in entries]
    return [c for c in changes if c.new_price != c.old_price]


def check_can_apply(job: PriceJob) -> None:
    if job.status != "previewed":
        raise Conflict(f"price job {job.job_id} is {job.status}; only a previewed job can be applied")


def check_can_revert(job: PriceJob) -> None:
    if job.status != "applied":
        raise Conflict(f"price job {job.job_id} is {job.status}; only an applied job can be reverted")


def revenue_impact(
    changes: list[PriceChange], usage: dict[uuid.UUID, tuple[str, Decimal]]
) -> dict[str, Decimal]:
    """Annual revenue change of active contract lines if they followed their product's list change.

    `usage` is product → (currency, annual value of its active lines). A product on several lists
    follows the largest relative change, so the figure is an upper bound."""
    ratio: dict[uuid.UUID, Decimal] = {}
    for c in changes:
        if c.old_price > 0:
            r = c.new_price / c.old_price - 1
            ratio[c.entry.product_id] = max(ratio.get(c.entry.product_id, r), r, key=abs)
    out: dict[str, Decimal] = {}
    for product_id, r in ratio.items():
        if product_id in usage:
            currency, value = usage[product_id]
            out[currency] = out.get(currency, Decimal(0)) + value * r
    return {k: v.quantize(Decimal("0.01")) for k, v in out.items()}
