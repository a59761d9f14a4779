"""Contracts internal HTTP API: contracts (called by the gateway)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date

from litestar import Controller, get, post
from litestar.params import Parameter

from avtal_common.api import responses
from avtal_common.api.actor import ActorHeader
from avtal_common.api.commands import ContractIn
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.idempotency import once
from avtal_contracts.domain.commands import ContractLineRequest, CreateContract
from avtal_contracts.domain.contracts import Contract, Line, Terms, effective_status
from avtal_contracts.handlers.contracts import create_contract
from avtal_contracts.settings import ContractsSettings
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
            site_id=ln.item.site_id,
        )
        return cls(
            line_id=ln.line_id,
            sku=ln.product.sku,
            product_name=ln.product.name,
            annual_price=ln.annual_price,
            item=item,
            unit_price=ln.unit_price,
            quantity=ln.quantity,
            start_date=ln.start_date,
            end_date=ln.end_date,
            price_source=ln.price_source,
        )


class ContractOut(responses.Contract):
    """A contract with its lines (the fields are the public API's); its status as the calendar gives it
    today, even before the daily job has stored it."""

    @classmethod
    def of(cls, c: Contract, today: date | None = None, expiring_days: int = 90) -> ContractOut:
        return cls(
            contract_id=c.contract_id,
            contract_no=c.contract_no,
            customer_id=c.customer.customer_id,
            customer_name=c.customer.name,
            currency=c.currency,
            start_date=c.start_date,
            end_date=c.end_date,
            billing_interval_months=c.billing_interval_months,
            status=effective_status(c, today or date.today(), expiring_days),
            version=c.version,
            annual_value=c.annual_value,
            lines=[LineOut.of(ln) for ln in c.lines],
            terms=responses.ContractTerms(**asdict(c.terms)),
            notice_deadline=c.notice_deadline,
            terminated_on=c.terminated_on,
            termination_reason=c.termination_reason,
            renewed_from=c.renewed_from,
            renewed_to=c.renewed_to,
            external_ref=c.external_ref,
        )


def command(data: ContractIn) -> CreateContract:
    lines = tuple(
        ContractLineRequest(
            ln.sku,
            ln.manufacturer_no,
            ln.model,
            ln.serial_no,
            ln.annual_price,
            ln.quantity,
            ln.start_date,
            ln.end_date,
        )
        for ln in data.lines
    )
    terms = Terms(
        data.billing_interval_months,
        data.billing_timing,
        data.price_policy,
        data.uplift_pct,
        data.uplift_index,
        data.auto_renew,
        data.renewal_term_months,
        data.notice_days,
    )
    return CreateContract(
        data.customer_id,
        data.currency,
        data.start_date,
        data.end_date,
        terms,
        lines,
        data.status,
        data.external_ref,
    )


class ContractController(Controller):
    path = "/contracts"

    @post("/")
    async def create(
        self,
        uow: ContractsUnitOfWork,
        data: ContractIn,
        idempotency_key: str | None = IdemKey,
        actor: str = ActorHeader,
    ) -> ContractOut:
        cmd = command(data)

        async def run() -> ContractOut:
            return ContractOut.of(await create_contract(uow, cmd, actor))

        async with uow:
            return await once(uow, idempotency_key, data.model_dump(mode="json"), ContractOut, run)

    @get("/")
    async def list_contracts(
        self,
        uow: ContractsUnitOfWork,
        settings: ContractsSettings,
        customer_id: uuid.UUID | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[ContractOut]:
        async with uow:
            found = await uow.contracts.list(limit, offset, customer_id)
            total = await uow.contracts.count(customer_id)
        days = settings.expiring_days
        return Page[ContractOut](
            items=[ContractOut.of(c, expiring_days=days) for c in found],
            total=total,
            limit=limit,
            offset=offset,
        )

    @get("/{contract_id:uuid}")
    async def get_contract(
        self, uow: ContractsUnitOfWork, settings: ContractsSettings, contract_id: uuid.UUID
    ) -> ContractOut:
        async with uow:
            return ContractOut.of(await uow.contracts.get(contract_id), expiring_days=settings.expiring_days)

    @get("/{contract_id:uuid}/history")
    async def history(
        self, uow: ContractsUnitOfWork, contract_id: uuid.UUID, limit: Limit = 100, offset: Offset = 0
    ) -> list[responses.AuditEntry]:
        """Every change of the contract, newest first: who, what, when, before and after."""
        async with uow:
            await uow.contracts.get(contract_id)  # 404 for an unknown contract
            rows = await uow.contracts.history(contract_id, limit, offset)
        return [responses.AuditEntry(**r) for r in rows]
