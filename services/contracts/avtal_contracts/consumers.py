"""The events the contracts service reacts to."""

from avtal_common import topics
from avtal_common.consumer import EventHandler
from avtal_common.payloads.catalog import PriceChanged, ProductUpserted
from avtal_common.payloads.contracts import RenewalAccepted
from avtal_common.payloads.customers import CustomerUpserted
from avtal_common.runtime import Runtime
from avtal_contracts.handlers.customers import on_customer_upserted
from avtal_contracts.handlers.products import on_price_changed, on_product_upserted
from avtal_contracts.handlers.renewals import on_renewal_accepted

HANDLERS = [
    EventHandler(
        topics.CATALOG_PRODUCT_UPSERTED, ProductUpserted, "contracts.on_product_upserted", on_product_upserted
    ),
    EventHandler(topics.CATALOG_PRICE_CHANGED, PriceChanged, "contracts.on_price_changed", on_price_changed),
    EventHandler(
        topics.CUSTOMER_UPSERTED, CustomerUpserted, "contracts.on_customer_upserted", on_customer_upserted
    ),
    EventHandler(
        topics.RENEWAL_ACCEPTED, RenewalAccepted, "contracts.on_renewal_accepted", on_renewal_accepted
    ),
]


def handlers(rt: Runtime) -> list[EventHandler]:
    return HANDLERS
