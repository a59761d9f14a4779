"""Public renewal API and the customer's accept and decline buttons: offer, accept, decline, renew now
(staff), index values."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect

from avtal_common.api.commands import IndexValueIn
from avtal_common.api.responses import Contract, IndexValue, RenewalOffer
from avtal_common.api.text import QueryText
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.api.problems import COMMAND, READ_ONE, STAFF_READ, problems
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import renewals
from avtal_gateway.handlers.views import parse
from avtal_gateway.store.unit_of_work import GatewayUnitOfWork

AnyUser = Request[User, Any, Any]


class RenewalApiController(Controller):
    path = "/api/v1"
    tags = ["renewals"]

    @get("/contracts/{contract_id:uuid}/renewal", responses=problems(*READ_ONE))
    async def offer(self, services: Services, request: AnyUser, contract_id: uuid.UUID) -> RenewalOffer:
        """The renewal on offer: the successor's term and prices, or why it waits (the customer's own)."""
        return await renewals.offer(services, request.user, contract_id)

    @post("/contracts/{contract_id:uuid}/renewal/accept", status_code=202, responses=problems(*COMMAND))
    async def accept(
        self, services: Services, uow: GatewayUnitOfWork, request: AnyUser, contract_id: uuid.UUID
    ) -> RenewalOffer:
        """Accept the renewal (the contract's customer, or staff for it): the successor follows shortly."""
        return await renewals.accept(services, uow, request.user, contract_id)

    @post("/contracts/{contract_id:uuid}/renewal/decline", status_code=202, responses=problems(*COMMAND))
    async def decline(
        self, services: Services, uow: GatewayUnitOfWork, request: AnyUser, contract_id: uuid.UUID
    ) -> RenewalOffer:
        """Decline the renewal (the contract's customer, or staff for it): it ends on its end date and
        the renewal reminders stop."""
        return await renewals.decline(services, uow, request.user, contract_id)

    @post(
        "/contracts/{contract_id:uuid}/renew",
        guards=[staff_only],
        status_code=200,
        responses=problems(*COMMAND),
    )
    async def renew(self, services: Services, contract_id: uuid.UUID) -> Contract:
        """Renew now (staff): the successor contract; a second call answers the same successor."""
        raw = await services.json("contracts", "POST", f"/contracts/{contract_id}/renew")
        made: Contract = parse("contracts", Contract, raw)
        return made

    @get("/indexes", guards=[staff_only], responses=problems(*STAFF_READ))
    async def indexes(self, services: Services, name: QueryText = None) -> list[IndexValue]:
        params = {"name": name} if name else {}
        raw = await services.json("contracts", "GET", "/indexes/", params=params)
        found: list[IndexValue] = parse("contracts", list[IndexValue], raw)
        return found

    @post("/indexes", guards=[staff_only], responses=problems(*COMMAND))
    async def put_index(self, services: Services, data: IndexValueIn) -> IndexValue:
        """Enter or correct one year's value of an index series (e.g. KPI 2026)."""
        raw = await services.json("contracts", "POST", "/indexes/", json=data.model_dump(mode="json"))
        made: IndexValue = parse("contracts", IndexValue, raw)
        return made


class RenewalPageController(Controller):
    include_in_schema = False

    @post("/contracts/{contract_id:uuid}/renewal/accept")
    async def accept(
        self, services: Services, uow: GatewayUnitOfWork, request: AnyUser, contract_id: uuid.UUID
    ) -> Redirect:
        """The accept button of `_renewal.html` (a form with the CSRF field)."""
        await renewals.accept(services, uow, request.user, contract_id)
        return Redirect(f"/contracts/{contract_id}?renewal=accepted")

    @post("/contracts/{contract_id:uuid}/renewal/decline")
    async def decline(
        self, services: Services, uow: GatewayUnitOfWork, request: AnyUser, contract_id: uuid.UUID
    ) -> Redirect:
        """The decline button of `_renewal.html`."""
        await renewals.decline(services, uow, request.user, contract_id)
        return Redirect(f"/contracts/{contract_id}?renewal=declined")

    @post("/contracts/{contract_id:uuid}/renew", guards=[staff_only])
    async def renew(self, services: Services, contract_id: uuid.UUID) -> Redirect:
        """Staff's "Renew now" button: on to the successor."""
        made = await services.json("contracts", "POST", f"/contracts/{contract_id}/renew")
        return Redirect(f"/contracts/{made['contract_id']}")


RENEWAL_ROUTES = [RenewalApiController, RenewalPageController]
