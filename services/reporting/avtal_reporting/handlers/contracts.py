"""Reporting use cases: fold contracts, customers, products and renewal steps into the read models."""

from __future__ import annotations

from avtal_common.events import Envelope
from avtal_common.payloads.billing import InvoiceGenerated
from avtal_common.payloads.catalog import ProductUpserted
from avtal_common.payloads.contracts import ContractState, RenewalAccepted, RenewalDeclined
from avtal_common.payloads.customers import CustomerState
from avtal_reporting.domain.contracts import contract_fact
from avtal_reporting.store.uow import ReportingUnitOfWork


async def on_contract_state(uow: ReportingUnitOfWork, event: Envelope[ContractState]) -> None:
    """Keep the newest state: a lower or equal version changes nothing, whatever order they come in."""
    await uow.facts.bump()
    await uow.facts.keep_contract(contract_fact(event.data, event.version))


async def on_customer_state(uow: ReportingUnitOfWork, event: Envelope[CustomerState]) -> None:
    await uow.facts.bump()
    c = event.data.customer
    await uow.facts.name_customer(c.customer_id, event.version, c.name)


async def on_product_upserted(uow: ReportingUnitOfWork, event: Envelope[ProductUpserted]) -> None:
    await uow.facts.bump()
    await uow.facts.product_vendor(event.data.product_id, event.data.vendor)


async def on_renewal_quoted(uow: ReportingUnitOfWork, event: Envelope[InvoiceGenerated]) -> None:
    if event.data.contract_id is not None:
        await uow.facts.bump()
        await uow.facts.renewal_step(event.data.contract_id, "quoted", event.data.issue_date)


async def on_renewal_accepted(uow: ReportingUnitOfWork, event: Envelope[RenewalAccepted]) -> None:
    await uow.facts.bump()
    await uow.facts.renewal_step(event.data.contract_id, "accepted", event.data.accepted_on)


async def on_renewal_declined(uow: ReportingUnitOfWork, event: Envelope[RenewalDeclined]) -> None:
    """A declined renewal: p_renew 0 in the forecast, "declined" in the pipeline."""
    await uow.facts.bump()
    await uow.facts.renewal_step(event.data.contract_id, "declined", event.data.declined_on)
