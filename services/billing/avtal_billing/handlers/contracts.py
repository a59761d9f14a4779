"""Reactions to contract events: billing learns the contract and builds its schedule."""

from __future__ import annotations

from datetime import timedelta

from avtal_billing.domain.contracts import Contract
from avtal_billing.domain.schedules import PricedLine, schedule
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.events import Envelope
from avtal_common.payloads.contracts import ContractCreated


async def on_contract_created(uow: BillingUnitOfWork, event: Envelope[ContractCreated]) -> None:
    c = event.data
    if not await uow.contracts.apply(_contract(c, event.version)):
        return  # a newer version is already known
    # The contract's end_date is its last covered day; the schedule's end is exclusive.
    periods = schedule(c.start_date, c.end_date + timedelta(days=1), c.billing_interval_months, _lines(c))
    await uow.schedules.add(c.contract_id, c.currency, periods)


def _contract(c: ContractCreated, version: int) -> Contract:
    return Contract(
        contract_id=c.contract_id,
        contract_no=c.contract_no,
        customer_id=c.customer.customer_id,
        customer_name=c.customer.name,
        customer_email=c.customer.email,
        locale=c.customer.locale,
        currency=c.currency,
        version=version,
    )


def _lines(c: ContractCreated) -> list[PricedLine]:
    return [
        PricedLine(
            f"{ln.product_name} ({ln.sku}) · {ln.item.manufacturer_no} {ln.item.model} "
            f"S/N {ln.item.serial_no}",
            ln.annual_price,
        )
        for ln in c.lines
    ]
