"""Contracts subscriptions: parse envelope → one handler."""

from avtal_common import topics
from avtal_common.consumer import EventHandler
from avtal_common.payloads.catalog import ProductUpserted
from avtal_common.runtime import Runtime
from avtal_contracts.handlers.contracts import on_product_upserted


def handlers(rt: Runtime) -> list[EventHandler]:
    return [
        EventHandler(
            topics.CATALOG_PRODUCT_UPSERTED,
            ProductUpserted,
            "contracts.on_product_upserted",
            on_product_upserted,
        )
    ]
