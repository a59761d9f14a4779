"""Billing service: app factory and entry point."""

from litestar.di import Provide

from avtal_billing.api.billing_runs import BillingRunController
from avtal_billing.api.invoices import InvoiceController
from avtal_billing.api.payments import PaymentController
from avtal_billing.api.schedules import ScheduleController
from avtal_billing.consumers import handlers
from avtal_billing.settings import BillingSettings
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_billing.workers import auto_billing, dunning, pdf_issuer, run_helper, units_of_work
from avtal_common import topics
from avtal_common.runtime import Runtime, ServiceSpec, serve


def dependencies(rt: Runtime) -> dict[str, Provide]:
    # A billing run opens one unit of work per chunk of invoices, so it takes a factory of them.
    return {"uows": Provide(lambda: lambda: units_of_work(rt), sync_to_thread=False)}


SPEC = ServiceSpec(
    name="billing",
    package="avtal_billing",
    publishes=[
        topics.INVOICE_GENERATED,
        topics.INVOICE_CREDITED,
        topics.INVOICE_PAID,
        topics.INVOICE_OVERDUE,
        topics.RENEWAL_QUOTED,
        topics.BILLING_RUN_FINISHED,
    ],
    handlers=handlers,
    routes=[BillingRunController, InvoiceController, ScheduleController, PaymentController],
    background=[auto_billing, run_helper, dunning, pdf_issuer],
    unit_of_work=BillingUnitOfWork,
    dependencies=dependencies,
)


def main() -> None:
    serve(SPEC, BillingSettings)
