"""Contracts internal HTTP API: the daily calendar run, renewals and index values."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date

import asyncpg
from litestar import Controller, get, post

from avtal_common.api import responses
from avtal_common.api.actor import ActorHeader
from avtal_common.api.commands import IndexValueIn
from avtal_common.api.text import QueryText
from avtal_common.errors import DomainError
from avtal_contracts.api.contracts import ContractOut
from avtal_contracts.domain.contracts import Contract
from avtal_contracts.handlers.calendar import RunCalendar, run_calendar
from avtal_contracts.handlers.renewals import preview_renewal, renew_contract
from avtal_contracts.settings import ContractsSettings
from avtal_contracts.store.calendar import run_lock
from avtal_contracts.store.uow import ContractsUnitOfWork


def run_command(
    settings: ContractsSettings, today: date, customer_id: uuid.UUID | None = None
) -> RunCalendar:
    return RunCalendar(today, tuple(settings.reminder_lead_days), settings.expiring_days, customer_id)


class CalendarController(Controller):
    path = "/calendar"

    @post("/run", status_code=200)
    async def run(
        self,
        uow: ContractsUnitOfWork,
        pool: asyncpg.Pool,
        settings: ContractsSettings,
        today: date | None = None,
        customer_id: uuid.UUID | None = None,
    ) -> responses.CalendarRun:
        """Run the daily job for `today` (default: today), e.g. to catch up a day; a rerun does nothing."""
        cmd = run_command(settings, today or date.today(), customer_id)
        async with run_lock(pool):
            report = await run_calendar(uow, cmd)
        return responses.CalendarRun(**asdict(report))


class RenewalController(Controller):
    path = "/contracts/{contract_id:uuid}"

    @get("/renew")
    async def offer(self, uow: ContractsUnitOfWork, contract_id: uuid.UUID) -> responses.RenewalOffer:
        """What renewing now would make (or made): the successor's term and prices, or why it waits."""
        async with uow:
            c = await uow.contracts.get(contract_id)
            try:
                old, nxt = await preview_renewal(uow, contract_id)
            except DomainError as exc:
                return _offer(c, None, str(exc))
        return _offer(old, nxt, None)

    @post("/renew", status_code=200)
    async def renew(
        self,
        uow: ContractsUnitOfWork,
        settings: ContractsSettings,
        contract_id: uuid.UUID,
        today: date | None = None,
        actor: str = ActorHeader,
    ) -> ContractOut:
        """Renew now (staff): the successor contract; once renewed, the same successor again."""
        async with uow:
            nxt = await renew_contract(
                uow, contract_id, how="staff", actor=actor, today=today or date.today()
            )
        return ContractOut.of(nxt, expiring_days=settings.expiring_days)

    @get("/reminders")
    async def reminders(
        self, uow: ContractsUnitOfWork, contract_id: uuid.UUID
    ) -> list[responses.ReminderSent]:
        """The `contract.expiring` reminders sent for the contract, by due day."""
        async with uow:
            await uow.contracts.get(contract_id)
            return [responses.ReminderSent(**r) for r in await uow.calendar.reminders(contract_id)]


class IndexController(Controller):
    path = "/indexes"

    @get("/")
    async def list_values(
        self, uow: ContractsUnitOfWork, name: QueryText = None
    ) -> list[responses.IndexValue]:
        async with uow:
            return [responses.IndexValue(**r) for r in await uow.indexes.list(name)]

    @post("/")
    async def put_value(
        self, uow: ContractsUnitOfWork, data: IndexValueIn, actor: str = ActorHeader
    ) -> responses.IndexValue:
        """Enter (or correct) one year's value; renewals waiting for it go ahead on the next run."""
        async with uow:
            return responses.IndexValue(**await uow.indexes.put(data.name, data.period, data.value, actor))


def _offer(c: Contract, nxt: Contract | None, waiting: str | None) -> responses.RenewalOffer:
    renewed = c.renewed_to is not None and nxt is not None
    before = {ln.item.item_id: ln.unit_price for ln in c.lines if ln.covers(c.end_date)}
    lines = [
        responses.RenewalLine(
            sku=ln.product.sku, serial_no=ln.item.serial_no, quantity=ln.quantity,
            unit_price_before=before.get(ln.item.item_id, ln.unit_price), unit_price_after=ln.unit_price,
        )
        for ln in (nxt.lines if nxt else [])
    ]  # fmt: skip
    return responses.RenewalOffer(
        contract_id=c.contract_id, contract_no=c.contract_no, status=c.status, auto_renew=c.terms.auto_renew,
        price_policy=c.terms.price_policy, renewed=renewed,
        successor_id=nxt.contract_id if renewed and nxt else None,
        successor_no=nxt.contract_no if renewed and nxt else None,
        start_date=nxt.start_date if nxt else None, end_date=nxt.end_date if nxt else None,
        annual_value_before=c.annual_value, annual_value_after=nxt.annual_value if nxt else None,
        currency=c.currency, lines=lines, waiting=waiting,
    )  # fmt: skip
