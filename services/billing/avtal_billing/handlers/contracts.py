"""Reactions to contract events: billing keeps the newest state of each contract and its schedule."""

from __future__ import annotations

from datetime import timedelta

from avtal_billing.domain.contracts import Contract, is_billable
from avtal_billing.domain.schedules import PricedLine, reschedule
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.events import Envelope
from avtal_common.payloads.contracts import ContractState


async def on_contract_state(uow: BillingUnitOfWork, event: Envelope[ContractState]) -> None:
    """A newer state replaces billing's copy and rebuilds the periods not yet invoiced; an older or
    equal one changes nothing, so states may arrive in any order (docs/adr/0008)."""
    c = event.data
    if not await uow.contracts.apply(_contract(c, event.version)):
        return
    invoiced = [p for p in await uow.schedules.for_update(c.contract_id) if p.invoice_id is not None]
    # The contract's end_date is its last covered day; the schedule's end is exclusive.
    end = c.end_date + timedelta(days=1)
    periods = reschedule(c.start_date, end, c.billing_interval_months, _lines(c), invoiced)
    await uow.schedules.replace_unbilled(c.contract_id, c.currency, periods if is_billable(c.status) else [])


def _contract(c: ContractState, version: int) -> Contract:
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


def _lines(c: ContractState) -> list[PricedLine]:
    return [
        PricedLine(
            f"{ln.product_name} ({ln.sku}) · {ln.item.manufacturer_no} {ln.item.model} "
            f"S/N {ln.item.serial_no}",
            ln.annual_price,
        )
        for ln in c.lines
    ]
