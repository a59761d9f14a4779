"""Contracts internal HTTP API (called by the gateway)."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, get, post
from litestar.params import Parameter

from avtal_common.idempotency import once
from avtal_common.uow import unit_of_work
from avtal_contracts.api.dto import ContractIn, ContractOut, CustomerIn, CustomerOut
from avtal_contracts.domain.model import Customer
from avtal_contracts.handlers.contracts import create_contract, register_customer
from avtal_contracts.store.repos import ContractRepo, CustomerRepo

IdemKey = Parameter(header="Idempotency-Key", required=False)


class CustomerController(Controller):
    path = "/customers"

    @post("/")
    async def create(
        self, request: Request, data: CustomerIn, idempotency_key: str | None = IdemKey
    ) -> CustomerOut:
        async with unit_of_work(request.app.state.runtime.db, "contracts") as tx:

            async def run() -> CustomerOut:
                c = Customer(uuid.uuid4(), data.name, str(data.email), data.locale, data.external_ref)
                return CustomerOut.of(await register_customer(tx, c))

            return await once(tx, idempotency_key, data.model_dump(mode="json"), CustomerOut, run)

    @get("/")
    async def list_customers(self, request: Request, limit: int = 100, offset: int = 0) -> list[CustomerOut]:
        async with request.app.state.runtime.db.acquire() as conn:
            return [CustomerOut.of(c) for c in await CustomerRepo(conn).list(min(limit, 1000), offset)]

    @get("/{customer_id:uuid}")
    async def get_customer(self, request: Request, customer_id: uuid.UUID) -> CustomerOut:
        async with request.app.state.runtime.db.acquire() as conn:
            return CustomerOut.of(await CustomerRepo(conn).get(customer_id))


class ContractController(Controller):
    path = "/contracts"

    @post("/")
    async def create(
        self, request: Request, data: ContractIn, idempotency_key: str | None = IdemKey
    ) -> ContractOut:
        async with unit_of_work(request.app.state.runtime.db, "contracts") as tx:

            async def run() -> ContractOut:
                c = await create_contract(
                    tx,
                    data.customer_id,
                    data.currency,
                    data.start_date,
                    data.end_date,
                    data.billing_interval_months,
                    [ln.model_dump() for ln in data.lines],
                )
                return ContractOut.of(c)

            return await once(tx, idempotency_key, data.model_dump(mode="json"), ContractOut, run)

    @get("/")
    async def list_contracts(
        self, request: Request, customer_id: uuid.UUID | None = None, limit: int = 100, offset: int = 0
    ) -> list[ContractOut]:
        async with request.app.state.runtime.db.acquire() as conn:
            repo = ContractRepo(conn)
            found = (
                await repo.for_customer(customer_id)
                if customer_id
                else await repo.list(min(limit, 1000), offset)
            )
            return [ContractOut.of(c) for c in found]

    @get("/{contract_id:uuid}")
    async def get_contract(self, request: Request, contract_id: uuid.UUID) -> ContractOut:
        async with request.app.state.runtime.db.acquire() as conn:
            return ContractOut.of(await ContractRepo(conn).get(contract_id))
