"""Contracts' copy of the catalog: kept current from catalog.product.upserted."""

from __future__ import annotations

from avtal_common.events import Envelope
from avtal_common.payloads.catalog import PriceChanged, ProductUpserted
from avtal_contracts.domain.products import ProductInfo, supersedes
from avtal_contracts.handlers.list_prices import reprice_following_contracts
from avtal_contracts.store.uow import ContractsUnitOfWork


async def on_product_upserted(uow: ContractsUnitOfWork, event: Envelope[ProductUpserted]) -> None:
    p = event.data
    incoming = ProductInfo(
        p.product_id, p.sku, p.name, p.annual_price, p.currency, p.active, event.version, p.vendor, p.vat_rate
    )
    if supersedes(incoming, await uow.products.find(p.product_id)):
        await uow.products.save(incoming)


async def on_price_changed(uow: ContractsUnitOfWork, event: Envelope[PriceChanged]) -> None:
    """Keeps the list price change with the product copy and reprices the contracts that follow the
    price list (handlers/list_prices.py)."""
    d = event.data
    await uow.product_prices.add(
        [
            (
                d.product_id,
                d.job_id,
                p.party_code,
                p.party_kind,
                d.reverted,
                p.currency,
                p.old_price,
                p.new_price,
                d.effective_from,
            )
            for p in d.prices
        ]
    )
    await reprice_following_contracts(uow, d)
