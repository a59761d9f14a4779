"""The catalog's unit of work: its repositories on one transaction."""

from __future__ import annotations

from typing import Any

from avtal_catalog.store.products import ProductRepo
from avtal_common.uow import UnitOfWork


class CatalogUnitOfWork(UnitOfWork):
    products: ProductRepo

    def bind_repositories(self, conn: Any) -> None:
        self.products = ProductRepo(conn)
