"""Customers, sites and covered items through the contracts service; a customer user sees only its own."""

from __future__ import annotations

import uuid
from typing import Any

from avtal_common.api.commands import CustomerUpdateIn, ItemIn, ItemUpdateIn, SiteIn
from avtal_common.api.pagination import Page
from avtal_common.api.responses import Customer, Item, Site
from avtal_gateway.adapters.services import Services
from avtal_gateway.domain.users import User
from avtal_gateway.handlers.views import page, parse


async def customers(svc: Services, q: str | None, limit: int = 100, offset: int = 0) -> Page[Customer]:
    return await page(svc, "contracts", "/customers/", Customer, limit, offset, q=q)


async def customer(svc: Services, user: User, customer_id: uuid.UUID) -> Customer:
    """Another customer's is missing (404) to a customer user: checked before asking the service."""
    user.require_visible(customer_id, f"customer {customer_id}")
    found: Customer = parse(
        "contracts", Customer, await svc.json("contracts", "GET", f"/customers/{customer_id}")
    )
    return found


async def update(svc: Services, customer_id: uuid.UUID, data: CustomerUpdateIn) -> Customer:
    body = data.model_dump(mode="json", exclude_unset=True)
    raw = await svc.json("contracts", "PATCH", f"/customers/{customer_id}", json=body)
    made: Customer = parse("contracts", Customer, raw)
    return made


async def sites(svc: Services, user: User, customer_id: uuid.UUID) -> list[Site]:
    user.require_visible(customer_id, f"customer {customer_id}")
    raw = await svc.json("contracts", "GET", f"/customers/{customer_id}/sites")
    return list(parse("contracts", list[Site], raw))


async def add_site(svc: Services, customer_id: uuid.UUID, data: SiteIn) -> Site:
    raw = await svc.json(
        "contracts", "POST", f"/customers/{customer_id}/sites", json=data.model_dump(mode="json")
    )
    made: Site = parse("contracts", Site, raw)
    return made


async def items(
    svc: Services, user: User, customer_id: uuid.UUID, limit: int = 100, offset: int = 0
) -> Page[Item]:
    user.require_visible(customer_id, f"customer {customer_id}")
    return await page(svc, "contracts", f"/customers/{customer_id}/items/", Item, limit, offset)


async def item(svc: Services, user: User, item_id: uuid.UUID) -> Item:
    found: Item = parse("contracts", Item, await svc.json("contracts", "GET", f"/items/{item_id}"))
    user.require_visible(found.customer_id, f"covered item {item_id}")
    return found


async def register_item(svc: Services, data: ItemIn) -> Item:
    made: Item = parse("contracts", Item, await svc.json("contracts", "POST", "/items/", json=_json(data)))
    return made


async def update_item(svc: Services, item_id: uuid.UUID, data: ItemUpdateIn) -> Item:
    body = data.model_dump(mode="json", exclude_unset=True)
    made: Item = parse(
        "contracts", Item, await svc.json("contracts", "PATCH", f"/items/{item_id}", json=body)
    )
    return made


def _json(data: Any) -> Any:
    return data.model_dump(mode="json")
