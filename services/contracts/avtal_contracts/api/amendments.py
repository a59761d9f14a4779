"""Contracts internal HTTP API: workflow operations on one contract, each with `?preview=true`."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from litestar import Controller, post

from avtal_common.api import responses
from avtal_common.api.actor import ActorHeader
from avtal_common.api.commands import AddItemsIn, BillNowIn, ChangePricesIn, RemoveItemsIn, TerminateIn
from avtal_common.errors import DomainError
from avtal_contracts.domain import amendments as ops
from avtal_contracts.domain.amendments import Amendment, LineChange
from avtal_contracts.domain.contracts import Contract
from avtal_contracts.handlers.amendments import Operation, add_items, amend, request_bill
from avtal_contracts.store.uow import ContractsUnitOfWork


def amendment_out(a: Amendment, applied: bool) -> responses.Amendment:
    return responses.Amendment(
        operation=a.operation,
        applied=applied,
        contract_id=a.after.contract_id,
        contract_no=a.after.contract_no,
        version=a.after.version,
        effective_date=a.effective_date,
        summary=a.summary,
        currency=a.after.currency,
        status_after=a.after.status,
        end_date_after=a.after.end_date,
        changes=[_change(ch) for ch in a.changes],
        annual_value_before=a.before.annual_value,
        annual_value_after=a.after.annual_value,
        impact_from=a.impact_from,
        impact_to=a.impact_to,
        revenue_before=a.revenue_before,
        revenue_after=a.revenue_after,
        revenue_impact=a.revenue_impact,
    )


def _change(ch: LineChange) -> responses.LineChange:
    ln = ch.after or ch.before
    assert ln is not None  # a change has a before, an after, or both
    return responses.LineChange(
        change=ch.change,
        line_id=ln.line_id,
        manufacturer_no=ln.item.manufacturer_no,
        serial_no=ln.item.serial_no,
        sku=ln.product.sku,
        start_date=ln.start_date,
        end_date=ln.end_date,
        quantity=ln.quantity,
        unit_price_before=ch.before.unit_price if ch.before else None,
        unit_price_after=ch.after.unit_price if ch.after else None,
    )


class AmendmentController(Controller):
    """Each operation takes the version the user saw (409 if the contract changed since); with
    `?preview=true` it answers the amendment's effect and writes nothing."""

    path = "/contracts/{contract_id:uuid}"

    async def _run(
        self,
        uow: ContractsUnitOfWork,
        contract_id: uuid.UUID,
        version: int,
        op: Operation,
        actor: str,
        preview: bool,
    ) -> responses.Amendment:
        async with uow:
            a = await amend(uow, contract_id, version, op, actor=actor, apply=not preview)
        return amendment_out(a, applied=not preview)

    @post("/add-items", status_code=200)
    async def add_items(
        self, uow: ContractsUnitOfWork, contract_id: uuid.UUID, data: AddItemsIn, preview: bool = False,
        actor: str = ActorHeader,
    ) -> responses.Amendment:  # fmt: skip
        async with uow:
            a = await add_items(
                uow, contract_id, data.version, data.items, data.effective_date, date.today(), actor=actor,
                apply=not preview,
            )  # fmt: skip
        return amendment_out(a, applied=not preview)

    @post("/remove-items", status_code=200)
    async def remove_items(
        self, uow: ContractsUnitOfWork, contract_id: uuid.UUID, data: RemoveItemsIn, preview: bool = False,
        actor: str = ActorHeader,
    ) -> responses.Amendment:  # fmt: skip
        today = date.today()

        def op(c: Contract) -> Amendment:
            return ops.remove_items(c, data.item_ids, data.effective_date, today)

        return await self._run(uow, contract_id, data.version, op, actor, preview)

    @post("/change-prices", status_code=200)
    async def change_prices(
        self, uow: ContractsUnitOfWork, contract_id: uuid.UUID, data: ChangePricesIn, preview: bool = False,
        actor: str = ActorHeader,
    ) -> responses.Amendment:  # fmt: skip
        today, change = date.today(), price_change(data)

        def op(c: Contract) -> Amendment:
            return ops.change_prices(c, change, data.effective_date, today)

        return await self._run(uow, contract_id, data.version, op, actor, preview)

    @post("/terminate", status_code=200)
    async def terminate(
        self, uow: ContractsUnitOfWork, contract_id: uuid.UUID, data: TerminateIn, preview: bool = False,
        actor: str = ActorHeader,
    ) -> responses.Amendment:  # fmt: skip
        today = date.today()

        def op(c: Contract) -> Amendment:
            return ops.terminate(c, data.effective_date, data.reason, today)

        return await self._run(uow, contract_id, data.version, op, actor, preview)

    @post("/bill-now", status_code=202)
    async def bill_now(
        self, uow: ContractsUnitOfWork, contract_id: uuid.UUID, data: BillNowIn, actor: str = ActorHeader
    ) -> responses.BillRequest:
        """Publishes contract.bill_requested; billing invoices the due periods on its own time."""
        async with uow:
            r = await request_bill(uow, contract_id, data.version, data.as_of or date.today(), actor)
        return responses.BillRequest(**r.model_dump())


def price_change(data: ChangePricesIn) -> ops.PriceChange:
    if bool(data.lines) == (data.percent is not None):
        raise DomainError("give either new prices per line (lines) or a percentage (percent), not both")
    if data.lines:
        return ops.PriceChange(prices={p.line_id: Decimal(p.unit_price) for p in data.lines})
    return ops.PriceChange(percent=data.percent, line_ids=tuple(data.line_ids))
