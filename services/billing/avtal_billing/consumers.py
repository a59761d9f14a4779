"""Billing subscriptions: the events billing reacts to, each with its handler."""

from functools import partial

from avtal_billing.handlers.bill_now import on_bill_requested
from avtal_billing.handlers.contracts import on_contract_state
from avtal_billing.handlers.customers import on_customer_state
from avtal_billing.handlers.payments import on_payment_received
from avtal_billing.handlers.renewals import on_contract_expiring
from avtal_billing.settings import BillingSettings
from avtal_common import topics
from avtal_common.consumer import EventHandler
from avtal_common.payloads.billing import PaymentReceived
from avtal_common.payloads.contracts import BillRequested, ContractExpiring, ContractState
from avtal_common.payloads.customers import CustomerState
from avtal_common.runtime import Runtime


def handlers(rt: Runtime) -> list[EventHandler]:
    # Billing's copy of a contract comes from its state topic only; the facts beside it
    # (contract.created, …) carry nothing billing needs today (docs/adr/0008).
    settings = rt.settings
    terms_days = settings.payment_terms_days if isinstance(settings, BillingSettings) else 30
    lead_days = settings.advance_lead_days if isinstance(settings, BillingSettings) else None
    return [
        EventHandler(
            topics.CONTRACT_STATE,
            ContractState,
            "billing.on_contract_state",
            partial(on_contract_state, lead_days=lead_days),
        ),
        EventHandler(topics.CUSTOMER_STATE, CustomerState, "billing.on_customer_state", on_customer_state),
        EventHandler(
            topics.CONTRACT_EXPIRING, ContractExpiring, "billing.on_contract_expiring", on_contract_expiring
        ),
        EventHandler(
            topics.PAYMENT_RECEIVED, PaymentReceived, "billing.on_payment_received", on_payment_received
        ),
        EventHandler(
            topics.CONTRACT_BILL_REQUESTED,
            BillRequested,
            "billing.on_bill_requested",
            partial(on_bill_requested, terms_days=terms_days),
        ),
    ]
