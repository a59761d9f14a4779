"""Catalog internal HTTP API: products, their search, retirement and price history."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from litestar import Controller, get, post

from avtal_catalog.domain.commands import AddPriceEntry, UpsertProduct
from avtal_catalog.domain.products import Product
from avtal_catalog.handlers.prices import add_price_entry
from avtal_catalog.handlers.products import retire_product, upsert_product
from avtal_catalog.store.prices import HistoryRow
from avtal_catalog.store.search import ProductQuery, search_products
from avtal_catalog.store.uow import CatalogUnitOfWork
from avtal_common.api import catalog, responses
from avtal_common.api.commands import ProductIn
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.api.text import QueryText


class ProductOut(responses.Product):
    """A product as the catalog answers it (the fields are the public API's)."""

    @classmethod
    def of(cls, p: Product) -> ProductOut:
        return cls(**{**asdict(p), "models": list(p.models)})


class PriceEntryCommand(catalog.PriceEntryIn, catalog.ByIn):
    """The public body plus who asks (the gateway sends the signed-in user)."""


def _command(d: ProductIn) -> UpsertProduct:
    return UpsertProduct(
        d.sku,
        d.name,
        d.annual_price,
        d.currency,
        d.description,
        d.vendor,
        d.category,
        d.manufacturer,
        tuple(d.models),
        d.maintenance_level,
        d.billing_unit,
        d.vat_rate,
    )


def history_out(h: HistoryRow) -> catalog.PriceEntry:
    e = h.entry
    return catalog.PriceEntry(
        entry_id=e.entry_id,
        party_code=h.party_code,
        party_kind=h.party_kind,
        party_name=h.party_name,
        currency=e.currency,
        list_price=e.list_price,
        cost=e.cost,
        effective_from=e.effective_from,
        effective_to=e.effective_to,
        job_id=e.job_id,
        created_by=h.created_by,
    )


class ProductController(Controller):
    path = "/products"

    @post("/")
    async def create(self, uow: CatalogUnitOfWork, data: ProductIn) -> ProductOut:
        async with uow:
            return ProductOut.of(await upsert_product(uow, _command(data)))

    @get("/")
    async def list_products(
        self,
        uow: CatalogUnitOfWork,
        q: QueryText = None,
        manufacturer: QueryText = None,
        model: QueryText = None,
        category: QueryText = None,
        active_only: bool = False,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[ProductOut]:
        """All products by SKU, or those matching `q` (full text and typo tolerant) and the filters."""
        query = ProductQuery(q, manufacturer, model, category, active_only, limit, offset)
        async with uow:
            found, total = await search_products(uow.conn, query)
        return Page[ProductOut](
            items=[ProductOut.of(p) for p in found], total=total, limit=limit, offset=offset
        )

    @get("/{product_id:uuid}")
    async def get_product(self, uow: CatalogUnitOfWork, product_id: uuid.UUID) -> ProductOut:
        async with uow:
            return ProductOut.of(await uow.products.get(product_id))

    @post("/{product_id:uuid}/retire")
    async def retire(self, uow: CatalogUnitOfWork, product_id: uuid.UUID) -> ProductOut:
        async with uow:
            return ProductOut.of(await retire_product(uow, product_id))

    @get("/{product_id:uuid}/prices")
    async def prices(self, uow: CatalogUnitOfWork, product_id: uuid.UUID) -> list[catalog.PriceEntry]:
        """Every price entry of the product, per list, newest first (history is kept)."""
        async with uow:
            await uow.products.get(product_id)
            return [history_out(h) for h in await uow.prices.history(product_id)]

    @post("/{product_id:uuid}/prices")
    async def add_price(
        self, uow: CatalogUnitOfWork, product_id: uuid.UUID, data: PriceEntryCommand
    ) -> catalog.PriceEntry:
        cmd = AddPriceEntry(
            data.party_code,
            product_id,
            data.currency,
            data.list_price,
            data.cost,
            data.effective_from,
            data.effective_to,
            data.by,
        )
        async with uow:
            entry = await add_price_entry(uow, cmd)
            return next(
                history_out(h)
                for h in await uow.prices.history(product_id)
                if h.entry.entry_id == entry.entry_id
            )
