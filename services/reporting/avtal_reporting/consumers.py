"""The events reporting reacts to."""

from avtal_common import topics
from avtal_common.consumer import EventHandler
from avtal_common.payloads.billing import InvoiceGenerated, PaymentApplied
from avtal_common.payloads.catalog import ProductUpserted
from avtal_common.payloads.contracts import ContractState, RenewalAccepted, RenewalDeclined
from avtal_common.payloads.customers import CustomerState
from avtal_common.runtime import Runtime
from avtal_reporting.handlers import contracts, revenue

HANDLERS = [
    EventHandler(
        topics.INVOICE_GENERATED,
        InvoiceGenerated,
        "reporting.on_invoice_generated",
        revenue.on_invoice_generated,
    ),
    EventHandler(
        topics.INVOICE_CREDITED,
        InvoiceGenerated,
        "reporting.on_invoice_credited",
        revenue.on_invoice_credited,
    ),
    EventHandler(
        topics.PAYMENT_APPLIED, PaymentApplied, "reporting.on_payment_applied", revenue.on_payment_applied
    ),
    EventHandler(
        topics.CONTRACT_STATE, ContractState, "reporting.on_contract_state", contracts.on_contract_state
    ),
    EventHandler(
        topics.CUSTOMER_STATE, CustomerState, "reporting.on_customer_state", contracts.on_customer_state
    ),
    EventHandler(
        topics.CATALOG_PRODUCT_UPSERTED,
        ProductUpserted,
        "reporting.on_product_upserted",
        contracts.on_product_upserted,
    ),
    EventHandler(
        topics.RENEWAL_QUOTED, InvoiceGenerated, "reporting.on_renewal_quoted", contracts.on_renewal_quoted
    ),
    EventHandler(
        topics.RENEWAL_ACCEPTED,
        RenewalAccepted,
        "reporting.on_renewal_accepted",
        contracts.on_renewal_accepted,
    ),
    EventHandler(
        topics.RENEWAL_DECLINED,
        RenewalDeclined,
        "reporting.on_renewal_declined",
        contracts.on_renewal_declined,
    ),
]


def handlers(rt: Runtime) -> list[EventHandler]:
    return HANDLERS
