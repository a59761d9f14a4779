"""The events reporting reacts to."""

from avtal_common import topics
from avtal_common.consumer import EventHandler
from avtal_common.payloads.billing import InvoiceGenerated
from avtal_common.runtime import Runtime
from avtal_reporting.handlers.revenue import on_invoice_generated

HANDLERS = [
    EventHandler(
        topics.INVOICE_GENERATED, InvoiceGenerated, "reporting.on_invoice_generated", on_invoice_generated
    ),
]


def handlers(rt: Runtime) -> list[EventHandler]:
    return HANDLERS
