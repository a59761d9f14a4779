"""Contracts internal HTTP API: contracts (called by the gateway)."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import Parameter

from avtal_common.api import responses
from avtal_common.api.commands import ContractIn
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.idempotency import once
from avtal_contracts.domain.commands import ContractLineRequest, CreateContract
from avtal_contracts.domain.contracts import Contract, Line
from avtal_contracts.handlers.contracts import create_contract
from avtal_contracts.store.uow import ContractsUnitOfWork

IdemKey = Parameter(header="Idempotency-Key", required=False)


class LineOut(responses.ContractLine):
    @classmethod
    def of(cls, ln: Line) -> LineOut:
        item = responses.CoveredItem(
            item_id=ln.item.item_id,
            manufacturer_no=ln.item.manufacturer_no,
            model=ln.item.model,
            serial_no=ln.item.serial_no,
        )
        return cls(
            line_id=ln.line_id,
            sku=ln.product.sku,
            product_name=ln.product.name,
            annual_price=ln.annual_price,
            item=item,
        )


class ContractOut(responses.Contract):
    """A contract with its lines (the fields are the public API's)."""

    @classmethod
    def of(cls, c: Contract) -> ContractOut:
        return cls(
            contract_id=c.contract_id,
            contract_no=c.contract_no,
            customer_id=c.customer.customer_id,
            customer_name=c.customer.name,
            currency=c.currency,
            start_date=c.start_date,
            end_date=c.end_date,
            billing_interval_months=c.billing_interval_months,
            status=c.status,
            version=c.version,
            annual_value=c.annual_value,
            lines=[LineOut.of(ln) for ln in c.lines],
        )


def _command(data: ContractIn) -> CreateContract:
    lines = tuple(
        ContractLineRequest(ln.sku, ln.manufacturer_no, ln.model, ln.serial_no, ln.annual_price)
        for ln in data.lines
    )
    return CreateContract(
        data.customer_id, data.currency, data.start_date, data.end_date, data.billing_interval_months, lines
    )


class ContractController(Controller):
    path = "/contracts"

    @post("/")
    async def create(
        self, uow: ContractsUnitOfWork, data: ContractIn, idempotency_key: str | None = IdemKey
    ) -> ContractOut:
        cmd = _command(data)

        async def run() -> ContractOut:
            return ContractOut.of(await create_contract(uow, cmd))

        async with uow:
            return await once(uow, idempotency_key, data.model_dump(mode="json"), ContractOut, run)

    @get("/")
    async def list_contracts(
        self,
        uow: ContractsUnitOfWork,
        customer_id: uuid.UUID | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[ContractOut]:
        async with uow:
            found = await uow.contracts.list(limit, offset, customer_id)
            total = await uow.contracts.count(customer_id)
        return Page[ContractOut](
            items=[ContractOut.of(c) for c in found], total=total, limit=limit, offset=offset
        )

    @get("/{contract_id:uuid}")
    async def get_contract(self, uow: ContractsUnitOfWork, contract_id: uuid.UUID) -> ContractOut:
        async with uow:
            return ContractOut.of(await uow.contracts.get(contract_id))
