"""The events the notifier reacts to."""

from __future__ import annotations

from functools import partial

from avtal_common import topics
from avtal_common.consumer import EventHandler
from avtal_common.payloads.billing import BillingRunFinished, InvoiceGenerated, InvoiceOverdue, InvoicePaid
from avtal_common.payloads.contracts import (
    BulkJobFinished,
    ContractExpired,
    ContractExpiring,
    ContractRenewed,
    ContractState,
    ContractTerminated,
    RenewalAccepted,
    RenewalDeclined,
)
from avtal_common.payloads.customers import CustomerState
from avtal_common.runtime import Runtime
from avtal_notifier.handlers import directory, notices, reminders, staff
from avtal_notifier.settings import NotifierSettings

H = EventHandler
HANDLERS = [
    H(
        topics.INVOICE_GENERATED,
        InvoiceGenerated,
        "notifier.on_invoice_generated",
        notices.on_invoice_document,
    ),
    H(topics.INVOICE_CREDITED, InvoiceGenerated, "notifier.on_invoice_credited", notices.on_invoice_document),
    H(topics.RENEWAL_QUOTED, InvoiceGenerated, "notifier.on_renewal_quoted", notices.on_invoice_document),
    H(topics.INVOICE_PAID, InvoicePaid, "notifier.on_invoice_paid", notices.on_invoice_paid),
    H(topics.INVOICE_OVERDUE, InvoiceOverdue, "notifier.on_invoice_overdue", notices.on_invoice_overdue),
    H(
        topics.CONTRACT_EXPIRING,
        ContractExpiring,
        "notifier.on_contract_expiring",
        notices.on_contract_expiring,
    ),
    H(topics.CONTRACT_RENEWED, ContractRenewed, "notifier.on_contract_renewed", notices.on_contract_renewed),
    H(
        topics.RENEWAL_ACCEPTED,
        RenewalAccepted,
        "notifier.on_renewal_accepted",
        reminders.on_renewal_accepted,
    ),
    H(
        topics.RENEWAL_DECLINED,
        RenewalDeclined,
        "notifier.on_renewal_declined",
        reminders.on_renewal_declined,
    ),
    H(
        topics.CONTRACT_EXPIRED,
        ContractExpired,
        "notifier.on_contract_expired",
        reminders.on_contract_expired,
    ),
    H(
        topics.CONTRACT_TERMINATED,
        ContractTerminated,
        "notifier.on_contract_terminated",
        reminders.on_contract_terminated,
    ),
    H(topics.CUSTOMER_STATE, CustomerState, "notifier.on_customer_state", directory.on_customer_state),
    H(topics.CONTRACT_STATE, ContractState, "notifier.on_contract_state", directory.on_contract_state),
]


def staff_handlers(staff_emails: list[str]) -> list[EventHandler]:
    """Staff notices go to the configured addresses (none configured: nothing is queued)."""
    return [
        H(
            topics.BILLING_RUN_FINISHED,
            BillingRunFinished,
            "notifier.on_billing_run_finished",
            partial(staff.on_billing_run_finished, staff=staff_emails),
        ),
        H(
            topics.BULK_JOB_FINISHED,
            BulkJobFinished,
            "notifier.on_bulk_job_finished",
            partial(staff.on_bulk_job_finished, staff=staff_emails),
        ),
    ]


def handlers(rt: Runtime) -> list[EventHandler]:
    assert isinstance(rt.settings, NotifierSettings)
    return HANDLERS + staff_handlers(rt.settings.staff_emails)
