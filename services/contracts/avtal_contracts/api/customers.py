"""Contracts internal HTTP API: customers and their sites (called by the gateway)."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from litestar import Controller, get, patch, post
from litestar.params import Parameter

from avtal_common.api import responses
from avtal_common.api.commands import CustomerIn, CustomerUpdateIn, SiteIn
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.api.text import QueryText
from avtal_common.idempotency import once
from avtal_contracts.domain.commands import AddSite, RegisterCustomer, UpdateCustomer
from avtal_contracts.domain.customers import Customer, Site
from avtal_contracts.handlers.customers import add_site, register_customer, update_customer
from avtal_contracts.store.uow import ContractsUnitOfWork

IdemKey = Parameter(header="Idempotency-Key", required=False)
_BASE = {"name", "email", "locale", "external_ref"}


class CustomerOut(responses.Customer):
    @classmethod
    def of(cls, c: Customer) -> CustomerOut:
        return cls(**{k: v for k, v in asdict(c).items() if k in cls.model_fields})


class SiteOut(responses.Site):
    @classmethod
    def of(cls, s: Site) -> SiteOut:
        return cls(**asdict(s))


def register_command(data: CustomerIn) -> RegisterCustomer:
    terms = data.model_dump(exclude=_BASE)
    return RegisterCustomer(data.name, str(data.email), data.locale, data.external_ref, terms)


class CustomerController(Controller):
    path = "/customers"

    @post("/")
    async def create(
        self, uow: ContractsUnitOfWork, data: CustomerIn, idempotency_key: str | None = IdemKey
    ) -> CustomerOut:
        cmd = register_command(data)

        async def run() -> CustomerOut:
            return CustomerOut.of(await register_customer(uow, cmd))

        async with uow:
            return await once(uow, idempotency_key, data.model_dump(mode="json"), CustomerOut, run)

    @get("/")
    async def list_customers(
        self, uow: ContractsUnitOfWork, q: QueryText = None, limit: Limit = 100, offset: Offset = 0
    ) -> Page[CustomerOut]:
        """By name; `q` keeps those whose name, e-mail, references, city or tax id contain it."""
        async with uow:
            found, total = await uow.customers.list(limit, offset, q), await uow.customers.count(q)
        return Page[CustomerOut](
            items=[CustomerOut.of(c) for c in found], total=total, limit=limit, offset=offset
        )

    @get("/{customer_id:uuid}")
    async def get_customer(self, uow: ContractsUnitOfWork, customer_id: uuid.UUID) -> CustomerOut:
        async with uow:
            return CustomerOut.of(await uow.customers.get(customer_id))

    @patch("/{customer_id:uuid}")
    async def update(
        self, uow: ContractsUnitOfWork, customer_id: uuid.UUID, data: CustomerUpdateIn
    ) -> CustomerOut:
        """The fields given change (version + 1); `version`, when given, must be the stored one."""
        changes = data.model_dump(exclude_unset=True, exclude={"version"})
        if "email" in changes:
            changes["email"] = str(changes["email"])
        cmd = UpdateCustomer(customer_id, changes, data.version)
        async with uow:
            return CustomerOut.of(await update_customer(uow, cmd))

    @get("/{customer_id:uuid}/sites")
    async def sites(self, uow: ContractsUnitOfWork, customer_id: uuid.UUID) -> list[SiteOut]:
        async with uow:
            await uow.customers.get(customer_id)
            return [SiteOut.of(s) for s in await uow.customers.sites_of(customer_id)]

    @post("/{customer_id:uuid}/sites")
    async def create_site(self, uow: ContractsUnitOfWork, customer_id: uuid.UUID, data: SiteIn) -> SiteOut:
        cmd = AddSite(customer_id, data.name, data.model_dump(exclude={"name"}))
        async with uow:
            return SiteOut.of(await add_site(uow, cmd))


class SiteController(Controller):
    path = "/sites"

    @get("/{site_id:uuid}")
    async def get_site(self, uow: ContractsUnitOfWork, site_id: uuid.UUID) -> SiteOut:
        async with uow:
            return SiteOut.of(await uow.customers.site(site_id))
