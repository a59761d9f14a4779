"""The contracts service's unit of work: its repositories on one transaction."""

from __future__ import annotations

from typing import Any

from avtal_common.uow import UnitOfWork
from avtal_contracts.store.bulk_jobs import BulkJobRepo
from avtal_contracts.store.calendar import CalendarRepo, IndexRepo
from avtal_contracts.store.contracts import ContractRepo
from avtal_contracts.store.customers import CustomerRepo
from avtal_contracts.store.items import ItemRepo
from avtal_contracts.store.prices import ProductPriceRepo
from avtal_contracts.store.products import ProductRepo
from avtal_contracts.store.search import ContractSearchRepo


class ContractsUnitOfWork(UnitOfWork):
    customers: CustomerRepo
    items: ItemRepo
    products: ProductRepo
    product_prices: ProductPriceRepo
    contracts: ContractRepo
    search: ContractSearchRepo
    bulk_jobs: BulkJobRepo
    calendar: CalendarRepo
    indexes: IndexRepo

    def bind_repositories(self, conn: Any) -> None:
        self.customers = CustomerRepo(conn)
        self.items = ItemRepo(conn)
        self.products = ProductRepo(conn)
        self.product_prices = ProductPriceRepo(conn)
        self.contracts = ContractRepo(conn)
        self.search = ContractSearchRepo(conn)
        self.bulk_jobs = BulkJobRepo(conn)
        self.calendar = CalendarRepo(conn)
        self.indexes = IndexRepo(conn)
