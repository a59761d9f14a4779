"""Reactions to customer events: billing keeps each customer's newest details for the invoices it issues."""

from __future__ import annotations

from avtal_billing.handlers.contracts import buyer_of
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.events import Envelope
from avtal_common.payloads.customers import CustomerState


async def on_customer_state(uow: BillingUnitOfWork, event: Envelope[CustomerState]) -> None:
    """Newest by when the change was made (contract states carry the customer too, in any order)."""
    await uow.customers.seen(buyer_of(event.data.customer), event.occurred_at)
