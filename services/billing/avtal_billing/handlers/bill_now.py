"""Bill now: contracts asks (contract.bill_requested) for an off-cycle invoice of one contract."""

from __future__ import annotations

from avtal_billing.handlers.billing_runs import bill_contract
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.events import Envelope
from avtal_common.logging import get_logger
from avtal_common.payloads.contracts import BillRequested

log = get_logger(__name__)


async def on_bill_requested(uow: BillingUnitOfWork, event: Envelope[BillRequested], terms_days: int) -> None:
    """Invoices the contract's periods starting by `as_of` as a run named after the request: the inbox
    applies a redelivered request once, and a second request finds the periods invoiced already."""
    r = event.data
    made = await bill_contract(uow, f"bill-now:{event.event_id}", r.contract_id, r.as_of, terms_days)
    log.info("billing.bill_now", contract_no=r.contract_no, as_of=str(r.as_of), invoices=made)
