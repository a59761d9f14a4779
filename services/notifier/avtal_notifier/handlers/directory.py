"""The notifier's own copy of who customers and contracts are, kept from their state topics."""

from __future__ import annotations

from avtal_common.events import Envelope
from avtal_common.payloads.contracts import ContractState
from avtal_common.payloads.customers import CustomerState
from avtal_notifier.domain.directory import ContractRef, Customer
from avtal_notifier.store.uow import NotifierUnitOfWork


async def on_customer_state(uow: NotifierUnitOfWork, event: Envelope[CustomerState]) -> None:
    """The newest version wins, whatever order the states arrive in."""
    c = event.data.customer
    await uow.directory.put_customer(Customer(c.customer_id, c.name, str(c.email), c.locale), event.version)


async def on_contract_state(uow: NotifierUnitOfWork, event: Envelope[ContractState]) -> None:
    s = event.data
    c = s.customer
    await uow.directory.put_contract(ContractRef(s.contract_id, s.contract_no, c.customer_id), event.version)
    await uow.directory.put_customer(Customer(c.customer_id, c.name, str(c.email), c.locale), version=0)
