"""Catalog internal HTTP API: vendors, distributors and maintenance levels."""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from litestar import Controller, get, post

from avtal_catalog.domain.commands import UpsertParty
from avtal_catalog.domain.products import MaintenanceLevel
from avtal_catalog.handlers.prices import upsert_party
from avtal_catalog.store.uow import CatalogUnitOfWork
from avtal_common.api import catalog


class PartyController(Controller):
    path = "/parties"

    @post("/")
    async def upsert(self, uow: CatalogUnitOfWork, data: catalog.PartyIn) -> catalog.Party:
        """Create the vendor or distributor with this code, or rename it."""
        async with uow:
            party = await upsert_party(uow, UpsertParty(data.kind, data.code, data.name))
        return catalog.Party(**asdict(party))

    @get("/")
    async def list_parties(
        self, uow: CatalogUnitOfWork, kind: Literal["vendor", "distributor"] | None = None
    ) -> list[catalog.Party]:
        async with uow:
            return [catalog.Party(**asdict(p)) for p in await uow.parties.list(kind)]


class LevelController(Controller):
    path = "/maintenance-levels"

    @post("/")
    async def upsert(
        self, uow: CatalogUnitOfWork, data: catalog.MaintenanceLevelIn
    ) -> catalog.MaintenanceLevel:
        level = MaintenanceLevel(**data.model_dump())
        async with uow:
            await uow.products.save_level(level)
        return catalog.MaintenanceLevel(**asdict(level))

    @get("/")
    async def list_levels(self, uow: CatalogUnitOfWork) -> list[catalog.MaintenanceLevel]:
        async with uow:
            return [catalog.MaintenanceLevel(**asdict(v)) for v in await uow.products.levels()]
