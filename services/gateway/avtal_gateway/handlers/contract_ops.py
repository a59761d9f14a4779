"""Workflow operations on one contract and its history, through the contracts service (staff only)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from litestar.plugins.problem_details import ProblemDetailsException
from pydantic import BaseModel

from avtal_common.api.responses import Amendment, AuditEntry, BillRequest, SchedulePeriod
from avtal_gateway.adapters.services import Services
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import views
from avtal_gateway.handlers.views import parse

# The public operation names and the contracts service's routes for them.
PATHS = {
    "add_items": "add-items",
    "remove_items": "remove-items",
    "change_prices": "change-prices",
    "terminate": "terminate",
}


async def amend(
    svc: Services, contract_id: uuid.UUID, operation: str, body: BaseModel | dict[str, Any], preview: bool
) -> Amendment:
    """Preview (nothing written) or apply one operation; the service's refusals come back as they are
    (409 for a stale version or an item covered elsewhere, 400 for a date outside the term)."""
    payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    raw = await svc.json(
        "contracts",
        "POST",
        f"/contracts/{contract_id}/{PATHS[operation]}",
        json=payload,
        params={"preview": "true" if preview else None},
    )
    return parse("contracts", Amendment, raw)  # type: ignore[no-any-return]


async def bill_now(svc: Services, contract_id: uuid.UUID, body: BaseModel | dict[str, Any]) -> BillRequest:
    payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    raw = await svc.json("contracts", "POST", f"/contracts/{contract_id}/bill-now", json=payload)
    return parse("contracts", BillRequest, raw)  # type: ignore[no-any-return]


async def history(
    svc: Services, contract_id: uuid.UUID, limit: int = 100, offset: int = 0
) -> list[AuditEntry]:
    raw = await svc.json(
        "contracts", "GET", f"/contracts/{contract_id}/history", params={"limit": limit, "offset": offset}
    )
    return list(parse("contracts", list[AuditEntry], raw))


async def schedule_or_none(svc: Services, user: User, contract_id: uuid.UUID) -> list[SchedulePeriod] | None:
    """Billing's periods of the contract, or None while billing does not know it yet."""
    try:
        return await views.schedule(svc, user, contract_id)
    except ProblemDetailsException as exc:
        if exc.status_code == 404:
            return None
        raise


def due_by(periods: list[SchedulePeriod] | None, as_of: date) -> list[SchedulePeriod]:
    """What bill now would invoice: the periods not yet invoiced that start by `as_of`."""
    return [p for p in periods or [] if p.invoice_id is None and p.period_start <= as_of]
