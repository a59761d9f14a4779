"""Vendors, distributors and their dated price entries."""

from __future__ import annotations

import uuid

from avtal_catalog.domain.commands import AddPriceEntry, UpsertParty
from avtal_catalog.domain.prices import Party, PriceEntry
from avtal_catalog.store.uow import CatalogUnitOfWork
from avtal_common.errors import DomainError


async def upsert_party(uow: CatalogUnitOfWork, cmd: UpsertParty) -> Party:
    party = await uow.parties.save(Party(uuid.uuid4(), cmd.kind, cmd.code.strip().upper(), cmd.name.strip()))
    if party.kind != cmd.kind:
        raise DomainError(f"{party.code} is a {party.kind}; a code names one vendor or one distributor")
    return party


async def add_price_entry(uow: CatalogUnitOfWork, cmd: AddPriceEntry) -> PriceEntry:
    """A new dated price; a 409 names the entry whose dates it overlaps."""
    party = await uow.parties.by_code(cmd.party_code.strip().upper())
    await uow.products.get(cmd.product_id)
    entry = PriceEntry(
        uuid.uuid4(),
        party.party_id,
        cmd.product_id,
        cmd.currency,
        cmd.list_price,
        cmd.cost,
        cmd.effective_from,
        cmd.effective_to,
    )
    await uow.prices.add(entry, cmd.by)
    return entry
