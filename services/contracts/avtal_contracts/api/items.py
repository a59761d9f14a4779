"""Contracts internal HTTP API: covered items, each with the contract that covers it today."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from litestar import Controller, get, patch, post

from avtal_common.api import responses
from avtal_common.api.commands import ItemIn, ItemUpdateIn
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_contracts.domain.commands import RegisterItem, UpdateItem
from avtal_contracts.handlers.customers import register_item, update_item
from avtal_contracts.store.uow import ContractsUnitOfWork


class ItemOut(responses.Item):
    @classmethod
    def of(cls, row: dict[str, Any]) -> ItemOut:
        """A row of ItemRepo's view; `covered_by` from its covering line and contract."""
        covered = None
        if row["contract_id"] is not None:
            covered = responses.CoveringContract(
                contract_id=row["contract_id"],
                contract_no=row["contract_no"],
                start_date=row["line_start"],
                end_date=row["line_end"],
            )
        return cls(**{k: v for k, v in row.items() if k in cls.model_fields}, covered_by=covered)


async def items_page(
    uow: ContractsUnitOfWork, customer_id: uuid.UUID, limit: int, offset: int, today: date
) -> Page[ItemOut]:
    async with uow:
        await uow.customers.get(customer_id)
        rows = await uow.items.view_of(customer_id, limit, offset, today)
        total = await uow.items.count_of(customer_id)
    return Page[ItemOut](items=[ItemOut.of(r) for r in rows], total=total, limit=limit, offset=offset)


class CustomerItemsController(Controller):
    path = "/customers/{customer_id:uuid}/items"

    @get("/")
    async def list_items(
        self,
        uow: ContractsUnitOfWork,
        customer_id: uuid.UUID,
        today: date | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[ItemOut]:
        """The customer's machines, each with the contract covering it on `today` (default: today)."""
        return await items_page(uow, customer_id, limit, offset, today or date.today())


class ItemController(Controller):
    path = "/items"

    @post("/")
    async def register(self, uow: ContractsUnitOfWork, data: ItemIn) -> ItemOut:
        """A new item, or the same customer's item with this serial; another customer's → 409."""
        cmd = RegisterItem(**data.model_dump())
        async with uow:
            item = await register_item(uow, cmd)
            return ItemOut.of(await uow.items.view(item.item_id, date.today()))

    @get("/{item_id:uuid}")
    async def get_item(
        self, uow: ContractsUnitOfWork, item_id: uuid.UUID, today: date | None = None
    ) -> ItemOut:
        async with uow:
            return ItemOut.of(await uow.items.view(item_id, today or date.today()))

    @patch("/{item_id:uuid}")
    async def update(self, uow: ContractsUnitOfWork, item_id: uuid.UUID, data: ItemUpdateIn) -> ItemOut:
        """Move it to another site of its customer, or correct its install date or product."""
        cmd = UpdateItem(item_id, data.model_dump(exclude_unset=True))
        async with uow:
            item = await update_item(uow, cmd)
            return ItemOut.of(await uow.items.view(item.item_id, date.today()))
