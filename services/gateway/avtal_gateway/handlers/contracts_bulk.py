"""Contract search and bulk jobs through the contracts service, shared by /api/v1 and the portal."""

from __future__ import annotations

import uuid
from typing import Any

from avtal_common.api import responses
from avtal_common.api.commands import BulkJobIn, ContractSelectionIn
from avtal_common.api.pagination import Page
from avtal_common.api.responses import Contract
from avtal_gateway.adapters.services import Services
from avtal_gateway.domain.users import User
from avtal_gateway.handlers.views import parse


def scoped(user: User, s: ContractSelectionIn) -> ContractSelectionIn:
    """Staff may select any customer's contracts; a customer user only ever its own."""
    return s if user.is_staff else s.model_copy(update={"customer_id": user.customer_id})


async def search(
    svc: Services, user: User, s: ContractSelectionIn, limit: int, offset: int
) -> Page[Contract]:
    body = scoped(user, s).model_dump(mode="json", exclude_defaults=True)
    raw = await svc.json(
        "contracts", "POST", "/contracts/search/", json=body, params={"limit": limit, "offset": offset}
    )
    found: Page[Contract] = parse("contracts", Page[Contract], raw)
    return found


def _body(data: BulkJobIn) -> dict[str, Any]:
    return data.model_dump(mode="json", exclude_none=True)


async def preview(svc: Services, data: BulkJobIn, limit: int, offset: int) -> responses.BulkPreview:
    raw = await svc.json(
        "contracts", "POST", "/bulk-jobs/preview", json=_body(data), params={"limit": limit, "offset": offset}
    )
    found: responses.BulkPreview = parse("contracts", responses.BulkPreview, raw)
    return found


async def start(svc: Services, data: BulkJobIn) -> responses.BulkJob:
    found: responses.BulkJob = parse(
        "contracts", responses.BulkJob, await svc.json("contracts", "POST", "/bulk-jobs/", json=_body(data))
    )
    return found


async def job(svc: Services, job_id: uuid.UUID) -> responses.BulkJob:
    found: responses.BulkJob = parse(
        "contracts", responses.BulkJob, await svc.json("contracts", "GET", f"/bulk-jobs/{job_id}")
    )
    return found


async def jobs(svc: Services, limit: int, offset: int) -> Page[responses.BulkJob]:
    raw = await svc.json("contracts", "GET", "/bulk-jobs/", params={"limit": limit, "offset": offset})
    found: Page[responses.BulkJob] = parse("contracts", Page[responses.BulkJob], raw)
    return found


async def job_contracts(
    svc: Services, job_id: uuid.UUID, state: str | None, limit: int, offset: int
) -> Page[responses.BulkJobContract]:
    raw = await svc.json(
        "contracts",
        "GET",
        f"/bulk-jobs/{job_id}/contracts",
        params={"state": state, "limit": limit, "offset": offset},
    )
    found: Page[responses.BulkJobContract] = parse("contracts", Page[responses.BulkJobContract], raw)
    return found


async def undo(svc: Services, job_id: uuid.UUID) -> responses.BulkJob:
    found: responses.BulkJob = parse(
        "contracts", responses.BulkJob, await svc.json("contracts", "POST", f"/bulk-jobs/{job_id}/undo")
    )
    return found
