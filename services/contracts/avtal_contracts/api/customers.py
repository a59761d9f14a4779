"""Contracts internal HTTP API: customers (called by the gateway)."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import Parameter

from avtal_common.api import responses
from avtal_common.api.commands import CustomerIn
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.idempotency import once
from avtal_contracts.domain.commands import RegisterCustomer
from avtal_contracts.domain.customers import Customer
from avtal_contracts.handlers.customers import register_customer
from avtal_contracts.store.uow import ContractsUnitOfWork

IdemKey = Parameter(header="Idempotency-Key", required=False)


class CustomerOut(responses.Customer):
    @classmethod
    def of(cls, c: Customer) -> CustomerOut:
        return cls(
            customer_id=c.customer_id,
            name=c.name,
            email=c.email,
            locale=c.locale,
            external_ref=c.external_ref,
        )


class CustomerController(Controller):
    path = "/customers"

    @post("/")
    async def create(
        self, uow: ContractsUnitOfWork, data: CustomerIn, idempotency_key: str | None = IdemKey
    ) -> CustomerOut:
        cmd = RegisterCustomer(data.name, str(data.email), data.locale, data.external_ref)

        async def run() -> CustomerOut:
            return CustomerOut.of(await register_customer(uow, cmd))

        async with uow:
            return await once(uow, idempotency_key, data.model_dump(mode="json"), CustomerOut, run)

    @get("/")
    async def list_customers(
        self,
        uow: ContractsUnitOfWork,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[CustomerOut]:
        async with uow:
            found, total = await uow.customers.list(limit, offset), await uow.customers.count()
        return Page[CustomerOut](
            items=[CustomerOut.of(c) for c in found], total=total, limit=limit, offset=offset
        )

    @get("/{customer_id:uuid}")
    async def get_customer(self, uow: ContractsUnitOfWork, customer_id: uuid.UUID) -> CustomerOut:
        async with uow:
            return CustomerOut.of(await uow.customers.get(customer_id))
