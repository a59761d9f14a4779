"""Billing service: app factory and entry point."""

from avtal_billing.api.routes import BillingRunController, InvoiceController, ScheduleController
from avtal_billing.consumers import handlers
from avtal_billing.settings import BillingSettings
from avtal_billing.workers import auto_billing, pdf_issuer
from avtal_common import topics
from avtal_common.runtime import ServiceSpec, serve

SPEC = ServiceSpec(
    name="billing",
    package="avtal_billing",
    publishes=[
        topics.INVOICE_GENERATED,
        topics.INVOICE_CREDITED,
        topics.INVOICE_PAID,
        topics.INVOICE_OVERDUE,
        topics.RENEWAL_QUOTED,
    ],
    handlers=handlers,
    routes=[BillingRunController, InvoiceController, ScheduleController],
    background=[auto_billing, pdf_issuer],
)


def main() -> None:
    serve(SPEC, BillingSettings)
