"""Billing schedules over HTTP: the periods of a contract and which invoice billed each."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date

from litestar import Controller, get
from pydantic import BaseModel

from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.money import Amount


class PeriodOut(BaseModel):
    period_start: date
    period_end: date
    amount: Amount
    currency: str
    invoice_id: uuid.UUID | None


class ScheduleController(Controller):
    path = "/contracts"

    @get("/{contract_id:uuid}/schedule")
    async def schedule(self, contract_id: uuid.UUID, uow: BillingUnitOfWork) -> list[PeriodOut]:
        """The billing periods of a contract and which invoice billed each."""
        async with uow:
            return [PeriodOut(**asdict(p)) for p in await uow.schedules.of_contract(contract_id)]
