"""Public API of customers, sites and covered items: staff change them; everyone signed in reads what
they may see (a customer user only its own customer, 404 for any other)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, patch, post

from avtal_common.api.commands import CustomerUpdateIn, ItemIn, ItemUpdateIn, SiteIn
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.api.responses import Customer, Item, Site
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.api.problems import COMMAND, READ_ONE, problems
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import customers as handlers

AnyUser = Request[User, Any, Any]


class CustomerApiController(Controller):
    path = "/api/v1"
    tags = ["customers and covered items"]

    @get("/customers/{customer_id:uuid}", responses=problems(*READ_ONE))
    async def customer(self, services: Services, request: AnyUser, customer_id: uuid.UUID) -> Customer:
        return await handlers.customer(services, request.user, customer_id)

    @patch("/customers/{customer_id:uuid}", guards=[staff_only], responses=problems(*COMMAND))
    async def update_customer(
        self, services: Services, customer_id: uuid.UUID, data: CustomerUpdateIn
    ) -> Customer:
        """Change the fields given (version + 1); with `version`, a 409 if someone changed it meanwhile."""
        return await handlers.update(services, customer_id, data)

    @get("/customers/{customer_id:uuid}/sites", responses=problems(*READ_ONE))
    async def sites(self, services: Services, request: AnyUser, customer_id: uuid.UUID) -> list[Site]:
        return await handlers.sites(services, request.user, customer_id)

    @post("/customers/{customer_id:uuid}/sites", guards=[staff_only], responses=problems(*COMMAND))
    async def add_site(self, services: Services, customer_id: uuid.UUID, data: SiteIn) -> Site:
        return await handlers.add_site(services, customer_id, data)

    @get("/customers/{customer_id:uuid}/items", responses=problems(*READ_ONE))
    async def items(
        self,
        services: Services,
        request: AnyUser,
        customer_id: uuid.UUID,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[Item]:
        """The customer's covered items, each with the contract that covers it today."""
        return await handlers.items(services, request.user, customer_id, limit, offset)

    @post("/items", guards=[staff_only], responses=problems(*COMMAND))
    async def register_item(self, services: Services, data: ItemIn) -> Item:
        """A serial number already registered to another customer (same manufacturer) is a 409 naming it."""
        return await handlers.register_item(services, data)

    @get("/items/{item_id:uuid}", responses=problems(*READ_ONE))
    async def item(self, services: Services, request: AnyUser, item_id: uuid.UUID) -> Item:
        return await handlers.item(services, request.user, item_id)

    @patch("/items/{item_id:uuid}", guards=[staff_only], responses=problems(*COMMAND))
    async def update_item(self, services: Services, item_id: uuid.UUID, data: ItemUpdateIn) -> Item:
        """Another site of the same customer, the install date, or the product (by SKU)."""
        return await handlers.update_item(services, item_id, data)
