"""One constant per topic (`<aggregate>.<fact>`), keyed by aggregate id; `dlq()` names its dead letters."""

from __future__ import annotations

CATALOG_PRODUCT_UPSERTED = "catalog.product.upserted"
CATALOG_PRICE_CHANGED = "catalog.price.changed"

CUSTOMER_UPSERTED = "customer.upserted"
# The contract's full current state and version after every change (consumers keep the newest);
# the facts below are published beside it, in the same transaction (docs/adr/0008).
CONTRACT_STATE = "contract.state"
CONTRACT_CREATED = "contract.created"
CONTRACT_AMENDED = "contract.amended"
CONTRACT_TERMINATED = "contract.terminated"
CONTRACT_RENEWED = "contract.renewed"
CONTRACT_EXPIRING = "contract.expiring"
CONTRACT_EXPIRED = "contract.expired"

INVOICE_GENERATED = "invoice.generated"
INVOICE_CREDITED = "invoice.credited"
INVOICE_PAID = "invoice.paid"
INVOICE_OVERDUE = "invoice.overdue"
RENEWAL_QUOTED = "renewal.quoted"
RENEWAL_ACCEPTED = "renewal.accepted"
PAYMENT_RECEIVED = "payment.received"

NOTIFICATION_SENT = "notification.sent"
NOTIFICATION_FAILED = "notification.failed"

ALL = [
    CATALOG_PRODUCT_UPSERTED,
    CATALOG_PRICE_CHANGED,
    CUSTOMER_UPSERTED,
    CONTRACT_STATE,
    CONTRACT_CREATED,
    CONTRACT_AMENDED,
    CONTRACT_TERMINATED,
    CONTRACT_RENEWED,
    CONTRACT_EXPIRING,
    CONTRACT_EXPIRED,
    INVOICE_GENERATED,
    INVOICE_CREDITED,
    INVOICE_PAID,
    INVOICE_OVERDUE,
    RENEWAL_QUOTED,
    RENEWAL_ACCEPTED,
    PAYMENT_RECEIVED,
    NOTIFICATION_SENT,
    NOTIFICATION_FAILED,
]


def dlq(topic: str) -> str:
    return f"{topic}.dlq"
