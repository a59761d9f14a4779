"""Public JSON API of the workflow operations on one contract (staff): each with `?preview=true`."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post

from avtal_common.api.commands import AddItemsIn, BillNowIn, ChangePricesIn, RemoveItemsIn, TerminateIn
from avtal_common.api.pagination import Limit, Offset
from avtal_common.api.responses import Amendment, AuditEntry, BillRequest
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.api.problems import COMMAND, READ_ONE, problems
from avtal_gateway.handlers import contract_ops

PREVIEW = "answer the amendment's effect (changed lines, annual value, revenue impact) and write nothing"


class ContractOpsController(Controller):
    """Every operation takes the contract `version` the user saw: a stale one answers 409 (reload)."""

    path = "/api/v1/contracts/{contract_id:uuid}"
    guards = [staff_only]
    tags = ["contract operations"]

    @post("/add-items", status_code=200, responses=problems(*COMMAND))
    async def add_items(
        self, services: Services, contract_id: uuid.UUID, data: AddItemsIn, preview: bool = False
    ) -> Amendment:
        """Cover more items from the effective date (new lines start there)."""
        return await contract_ops.amend(services, contract_id, "add_items", data, preview)

    @post("/remove-items", status_code=200, responses=problems(*COMMAND))
    async def remove_items(
        self, services: Services, contract_id: uuid.UUID, data: RemoveItemsIn, preview: bool = False
    ) -> Amendment:
        """The items' lines end the day before the effective date (a line not started yet goes)."""
        return await contract_ops.amend(services, contract_id, "remove_items", data, preview)

    @post("/change-prices", status_code=200, responses=problems(*COMMAND))
    async def change_prices(
        self, services: Services, contract_id: uuid.UUID, data: ChangePricesIn, preview: bool = False
    ) -> Amendment:
        """New unit prices from the effective date; a running line is split there."""
        return await contract_ops.amend(services, contract_id, "change_prices", data, preview)

    @post("/terminate", status_code=200, responses=problems(*COMMAND))
    async def terminate(
        self, services: Services, contract_id: uuid.UUID, data: TerminateIn, preview: bool = False
    ) -> Amendment:
        """End the contract: `effective_date` is its last covered day."""
        return await contract_ops.amend(services, contract_id, "terminate", data, preview)

    @post("/bill-now", status_code=202, responses=problems(*COMMAND))
    async def bill_now(self, services: Services, contract_id: uuid.UUID, data: BillNowIn) -> BillRequest:
        """Ask billing to invoice the periods starting by `as_of` now (once, however often asked)."""
        return await contract_ops.bill_now(services, contract_id, data)

    @get("/history", responses=problems(*READ_ONE, 403))
    async def history(
        self, services: Services, contract_id: uuid.UUID, limit: Limit = 100, offset: Offset = 0
    ) -> list[AuditEntry]:
        """Every change, newest first: who, when, the effective date, before and after."""
        return await contract_ops.history(services, contract_id, limit, offset)
