"""What a user may see: every read goes through here, so object-level checks live in one place."""

from __future__ import annotations

import uuid
from typing import Any

from avtal_gateway.adapters.services import Services
from avtal_gateway.domain.users import User


def _scope(user: User, customer_id: uuid.UUID | None) -> uuid.UUID | None:
    """Staff may filter by any customer; a customer user is always held to its own."""
    return customer_id if user.is_staff else user.customer_id


async def contracts(svc: Services, user: User, customer_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    return await svc.json(
        "contracts", "GET", "/contracts/", params={"customer_id": _scope(user, customer_id)}
    )


async def contract(svc: Services, user: User, contract_id: uuid.UUID) -> dict[str, Any]:
    found = await svc.json("contracts", "GET", f"/contracts/{contract_id}")
    user.require_visible(found["customer_id"], f"contract {contract_id}")
    return found


async def invoices(
    svc: Services, user: User, customer_id: uuid.UUID | None = None, contract_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    page = await svc.json(
        "billing",
        "GET",
        "/invoices/",
        params={"customer_id": _scope(user, customer_id), "contract_id": contract_id},
    )
    return page["items"]  # billing answers a Page (interfaces §1); the first page until the gateway pages


async def invoice(svc: Services, user: User, invoice_id: uuid.UUID) -> dict[str, Any]:
    found = await svc.json("billing", "GET", f"/invoices/{invoice_id}")
    user.require_visible(found["customer_id"], f"invoice {invoice_id}")
    return found


async def invoice_pdf(svc: Services, user: User, invoice_id: uuid.UUID) -> tuple[str, bytes]:
    inv = await invoice(svc, user, invoice_id)
    r = await svc.request("billing", "GET", f"/invoices/{invoice_id}/pdf")
    return inv["invoice_no"], r.content


async def products(svc: Services, limit: int = 200) -> list[dict[str, Any]]:
    return await svc.json("catalog", "GET", "/products/", params={"limit": limit})


async def schedule(svc: Services, user: User, contract_id: uuid.UUID) -> list[dict[str, Any]]:
    await contract(svc, user, contract_id)
    return await svc.json("billing", "GET", f"/contracts/{contract_id}/schedule")
