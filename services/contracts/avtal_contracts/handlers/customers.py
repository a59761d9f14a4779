"""Customer, site and covered-item use cases: each runs inside the caller's unit of work."""

from __future__ import annotations

import uuid
from dataclasses import replace

from avtal_common.errors import Conflict
from avtal_common.events import Envelope
from avtal_common.payloads.customers import CustomerState, CustomerUpserted
from avtal_common.topics import CUSTOMER_STATE
from avtal_contracts.domain.commands import (
    AddSite,
    RegisterCustomer,
    RegisterItem,
    UpdateCustomer,
    UpdateItem,
)
from avtal_contracts.domain.customers import Customer, Site, applies, changed, new_customer, new_site
from avtal_contracts.domain.items import Item, check_site, new_item, owned_elsewhere
from avtal_contracts.handlers.contracts import customer_ref
from avtal_contracts.store.uow import ContractsUnitOfWork


async def register_customer(uow: ContractsUnitOfWork, cmd: RegisterCustomer) -> Customer:
    """A new customer, or the one already registered under the same external reference."""
    if cmd.external_ref and (known := await uow.customers.by_external_ref(cmd.external_ref)):
        return known
    customer = new_customer(cmd.name, cmd.email, cmd.locale, cmd.external_ref, **cmd.terms)
    await uow.customers.add(customer)
    await publish_customer(uow, customer)
    return customer


async def update_customer(uow: ContractsUnitOfWork, cmd: UpdateCustomer) -> Customer:
    """The customer with the changes, one version higher (unchanged when nothing differs).
    Open contracts keep the billing terms they were signed with until their next change publishes
    their state again (docs/customers.md)."""
    before = await uow.customers.lock(cmd.customer_id)
    if cmd.expected_version is not None and cmd.expected_version != before.version:
        raise Conflict(
            f"customer {before.name} is at version {before.version}, not {cmd.expected_version}: "
            "someone changed it meanwhile; reload it and apply your change again"
        )
    after = changed(before, cmd.changes)
    if after is not before:
        await _unique_ref(uow, after)
        await uow.customers.update(after)
        await publish_customer(uow, after)
    return after


async def on_customer_upserted(uow: ContractsUnitOfWork, event: Envelope[CustomerUpserted]) -> None:
    """Upsert by the CRM's id; an event older than the CRM change already applied changes nothing."""
    d = event.data
    fields = d.model_dump(exclude_none=True, exclude={"external_ref"})
    known = await uow.customers.by_external_ref(d.external_ref)
    if not applies(known, event.occurred_at):
        return
    if known is None:
        made = replace(new_customer(external_ref=d.external_ref, **fields), crm_updated_at=event.occurred_at)
        await uow.customers.add(made)
        await publish_customer(uow, made)
        return
    after = changed(known, fields)
    if after is not known:
        await uow.customers.update(replace(after, crm_updated_at=event.occurred_at))
        await publish_customer(uow, after)
    else:
        await uow.customers.update(replace(after, crm_updated_at=event.occurred_at))


async def publish_customer(uow: ContractsUnitOfWork, c: Customer) -> None:
    """`customer.state` in the change's transaction: billing prints the newest details on invoices
    (open contracts keep the terms they were signed with; the address and VAT number are the buyer's)."""
    await uow.emit(CUSTOMER_STATE, c.customer_id, CustomerState(customer=customer_ref(c)), c.version)


async def add_site(uow: ContractsUnitOfWork, cmd: AddSite) -> Site:
    await uow.customers.get(cmd.customer_id)
    site = new_site(cmd.customer_id, cmd.name, **cmd.place)
    if any(s.name == site.name for s in await uow.customers.sites_of(cmd.customer_id)):
        raise Conflict(f"the customer already has a site called {site.name!r}")
    await uow.customers.add_site(site)
    return site


async def register_item(uow: ContractsUnitOfWork, cmd: RegisterItem) -> Item:
    """A new covered item, or the same customer's item already registered with this serial number;
    another customer's → 409 naming that customer."""
    await uow.customers.get(cmd.customer_id)
    found = await uow.items.find(cmd.manufacturer_no.strip(), cmd.serial_no.strip())
    if found is not None:
        await _same_owner(uow, found, cmd.customer_id)
        return found
    product_id = (await uow.products.by_sku(cmd.sku)).product_id if cmd.sku else None
    await _site_of(uow, cmd.customer_id, cmd.site_id)
    item = new_item(
        cmd.customer_id,
        cmd.manufacturer_no,
        cmd.model,
        cmd.serial_no,
        product_id=product_id,
        site_id=cmd.site_id,
        install_date=cmd.install_date,
        external_ref=cmd.external_ref,
    )
    await uow.items.add(item)
    return item


async def update_item(uow: ContractsUnitOfWork, cmd: UpdateItem) -> Item:
    item = await uow.items.get(cmd.item_id)
    changes = dict(cmd.changes)
    if "sku" in changes:
        sku = changes.pop("sku")
        changes["product_id"] = (await uow.products.by_sku(sku)).product_id if sku else None
    if changes.get("site_id") is not None:
        await _site_of(uow, item.customer_id, changes["site_id"])
    after = replace(item, **changes)
    if after != item:
        await uow.items.update(after)
    return after


async def _same_owner(uow: ContractsUnitOfWork, found: Item, customer_id: uuid.UUID) -> None:
    if owned_elsewhere(found, customer_id):
        owner = await uow.items.owner_name(found.customer_id)
        raise Conflict(
            f"serial number {found.serial_no} of manufacturer {found.manufacturer_no} is registered to "
            f"customer {owner} ({found.customer_id}); a serial number is unique per manufacturer"
        )


async def _site_of(uow: ContractsUnitOfWork, customer_id: uuid.UUID, site_id: uuid.UUID | None) -> None:
    if site_id is None:
        return
    site = await uow.customers.site(site_id)
    check_site(customer_id, site.customer_id)


async def _unique_ref(uow: ContractsUnitOfWork, c: Customer) -> None:
    other = await uow.customers.by_external_ref(c.external_ref) if c.external_ref else None
    if other is not None and other.customer_id != c.customer_id:
        raise Conflict(f"external_ref {c.external_ref} belongs to customer {other.name}")
