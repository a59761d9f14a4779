"""Renewals through the gateway: the offer (scoped to the contract's customer), its acceptance or decline."""

from __future__ import annotations

import uuid
from datetime import date

from avtal_common.api.responses import RenewalOffer
from avtal_common.errors import Conflict, DomainError
from avtal_common.payloads.contracts import RenewalAccepted, RenewalDeclined
from avtal_common.topics import RENEWAL_ACCEPTED, RENEWAL_DECLINED
from avtal_gateway.adapters.services import Services
from avtal_gateway.domain.users import User
from avtal_gateway.handlers import views
from avtal_gateway.handlers.views import parse
from avtal_gateway.store.unit_of_work import GatewayUnitOfWork


async def offer(services: Services, user: User, contract_id: uuid.UUID) -> RenewalOffer:
    await views.contract(services, user, contract_id)  # 404 for another customer's contract
    raw = await services.json("contracts", "GET", f"/contracts/{contract_id}/renew")
    found: RenewalOffer = parse("contracts", RenewalOffer, raw)
    return found


async def accept(
    services: Services, uow: GatewayUnitOfWork, user: User, contract_id: uuid.UUID, today: date | None = None
) -> RenewalOffer:
    """Publishes `renewal.accepted` (through the gateway's outbox): the contracts service renews on it."""
    c = await views.contract(services, user, contract_id)
    o = await offer(services, user, contract_id)
    if o.renewed:
        raise Conflict(f"contract {c.contract_no} is already renewed by {o.successor_no}")
    if c.status not in ("active", "expiring"):
        raise DomainError(f"contract {c.contract_no} is {c.status}: its renewal can no longer be accepted")
    if o.auto_renew:
        raise DomainError(f"contract {c.contract_no} renews automatically on {c.end_date}: nothing to accept")
    if o.waiting:
        raise DomainError(f"the renewal cannot be made yet: {o.waiting}")
    event = RenewalAccepted(
        contract_id=contract_id, accepted_by=user.email, accepted_on=today or date.today()
    )
    async with uow:
        await uow.emit(RENEWAL_ACCEPTED, contract_id, event)
    return o


async def decline(
    services: Services, uow: GatewayUnitOfWork, user: User, contract_id: uuid.UUID, today: date | None = None
) -> RenewalOffer:
    """Publishes `renewal.declined`: the contract ends on its end date as it would without an answer, and
    the renewal reminders stop (notifier). Only while the renewal could still be accepted."""
    c = await views.contract(services, user, contract_id)
    o = await offer(services, user, contract_id)
    if o.renewed:
        raise Conflict(f"contract {c.contract_no} is already renewed by {o.successor_no}")
    if c.status not in ("active", "expiring"):
        raise DomainError(f"contract {c.contract_no} is {c.status}: there is no renewal to decline")
    event = RenewalDeclined(
        contract_id=contract_id, declined_by=user.email, declined_on=today or date.today()
    )
    async with uow:
        await uow.emit(RENEWAL_DECLINED, contract_id, event)
    return o
