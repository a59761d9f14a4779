"""The catalog's unit of work: its repositories on one transaction."""

from __future__ import annotations

from typing import Any

from avtal_catalog.store.jobs import PriceJobRepo
from avtal_catalog.store.parties import PartyRepo
from avtal_catalog.store.prices import PriceEntryRepo
from avtal_catalog.store.products import ProductRepo
from avtal_common.uow import UnitOfWork


class CatalogUnitOfWork(UnitOfWork):
    products: ProductRepo
    parties: PartyRepo
    prices: PriceEntryRepo
    jobs: PriceJobRepo

    def bind_repositories(self, conn: Any) -> None:
        self.products = ProductRepo(conn)
        self.parties = PartyRepo(conn)
        self.prices = PriceEntryRepo(conn)
        self.jobs = PriceJobRepo(conn)
