"""Reactions to contract events: billing keeps the newest state of each contract and its schedule."""

from __future__ import annotations

from datetime import timedelta

from avtal_billing.domain.adjustments import adjustments
from avtal_billing.domain.contracts import Buyer, Contract, is_billable
from avtal_billing.domain.schedules import PricedLine, reschedule
from avtal_billing.handlers.adjustments import settle
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.events import Envelope
from avtal_common.payloads.contracts import ContractLine, ContractState, CustomerRef


async def on_contract_state(
    uow: BillingUnitOfWork, event: Envelope[ContractState], lead_days: int | None = None
) -> None:
    """A newer state replaces billing's copy and rebuilds the periods not yet invoiced; an older or
    equal one changes nothing, so states may arrive in any order (docs/adr/0008). In-advance periods
    are invoiced `lead_days` before they start (None: the buyer's payment terms)."""
    c = event.data
    buyer = buyer_of(c.customer)
    await uow.customers.seen(buyer, event.occurred_at)
    if not await uow.contracts.apply(contract_of(c, event.version), c.model_dump(mode="json")):
        return
    invoiced = [p for p in await uow.schedules.for_update(c.contract_id) if p.invoice_id is not None]
    # The contract's end_date is its last covered day; the schedule's end is exclusive.
    end = c.end_date + timedelta(days=1)
    if invoiced and is_billable(c.status):
        billed = await uow.invoices.billed_lines(c.contract_id)
        found = adjustments(invoiced, end, c.billing_interval_months, priced_lines(c), billed)
        if found:
            await settle(uow, contract_of(c, event.version), found, event.occurred_at.date())
    lead = buyer.payment_terms_days if lead_days is None else lead_days
    periods = reschedule(
        c.start_date, end, c.billing_interval_months, priced_lines(c), invoiced, c.terms.billing_timing, lead
    )
    await uow.schedules.replace_unbilled(
        c.contract_id,
        c.currency,
        periods if is_billable(c.status) else [],
        c.terms.billing_timing,
        c.customer.customer_id,
    )


def buyer_of(c: CustomerRef) -> Buyer:
    return Buyer(
        customer_id=c.customer_id,
        name=c.name,
        email=str(c.email),
        locale=c.locale,
        address_line=c.address_line,
        postal_code=c.postal_code,
        city=c.city,
        country=c.country,
        tax_id=c.tax_id,
        vat_rate=c.vat_rate,
        reverse_charge=c.reverse_charge,
        payment_terms_days=c.payment_terms_days,
    )


def contract_of(c: ContractState, version: int) -> Contract:
    return Contract(
        contract_id=c.contract_id,
        contract_no=c.contract_no,
        customer_id=c.customer.customer_id,
        customer_name=c.customer.name,
        customer_email=str(c.customer.email),
        locale=c.customer.locale,
        currency=c.currency,
        version=version,
        buyer=buyer_of(c.customer),
        status=c.status,
    )


def priced_lines(c: ContractState) -> list[PricedLine]:
    return [_priced(ln) for ln in c.lines]


def _priced(ln: ContractLine) -> PricedLine:
    return PricedLine(
        description=f"{ln.product_name} ({ln.sku}) · {ln.item.manufacturer_no} {ln.item.model} "
        f"S/N {ln.item.serial_no}",
        annual_price=ln.annual_price,
        line_id=ln.line_id,
        start=ln.start_date,
        end=ln.end_date + timedelta(days=1) if ln.end_date else None,
        serials=ln.item.serial_no,
        quantity=ln.quantity,
        unit_price=ln.unit_price,
        vat_rate=ln.vat_rate,
    )
