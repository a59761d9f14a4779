"""Customer use cases: each runs inside the caller's unit of work."""

from __future__ import annotations

from avtal_contracts.domain.commands import RegisterCustomer
from avtal_contracts.domain.customers import Customer, new_customer
from avtal_contracts.store.uow import ContractsUnitOfWork


async def register_customer(uow: ContractsUnitOfWork, cmd: RegisterCustomer) -> Customer:
    """A new customer, or the one already registered under the same external reference."""
    if cmd.external_ref and (known := await uow.customers.by_external_ref(cmd.external_ref)):
        return known
    customer = new_customer(cmd.name, cmd.email, cmd.locale, cmd.external_ref)
    await uow.customers.add(customer)
    return customer
