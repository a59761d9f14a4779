"""Billing schedules over HTTP: the periods of a contract and which invoice billed each."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from litestar import Controller, get

from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.api import responses

PeriodOut = responses.SchedulePeriod


class ScheduleController(Controller):
    path = "/contracts"

    @get("/{contract_id:uuid}/schedule")
    async def schedule(self, contract_id: uuid.UUID, uow: BillingUnitOfWork) -> list[PeriodOut]:
        """The billing periods of a contract and which invoice billed each."""
        async with uow:
            return [PeriodOut(**asdict(p)) for p in await uow.schedules.of_contract(contract_id)]
