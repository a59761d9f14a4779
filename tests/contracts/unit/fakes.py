"""In-memory repositories and unit of work of the contracts service, for handler tests.

Plain dicts with no unique keys or version guards: whatever protects a handler from a duplicate or a
stale event must be the inbox or the handler's own rule, not a safety net of the database."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from typing import Any

from avtal_common.errors import NotFound
from avtal_contracts.domain.contracts import Contract
from avtal_contracts.domain.customers import Customer
from avtal_contracts.domain.items import Item
from avtal_contracts.domain.products import ProductInfo
from avtal_testing.fakes import FakeUnitOfWork


class FakeCustomerRepo:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Customer] = {}

    async def add(self, c: Customer) -> None:
        self.rows[c.customer_id] = c

    async def get(self, customer_id: uuid.UUID) -> Customer:
        if customer_id not in self.rows:
            raise NotFound(f"customer {customer_id} does not exist")
        return self.rows[customer_id]

    async def by_external_ref(self, ref: str) -> Customer | None:
        return next((c for c in self.rows.values() if c.external_ref == ref), None)

    async def update(self, c: Customer) -> None:
        self.rows[c.customer_id] = c

    async def lock(self, customer_id: uuid.UUID) -> Customer:
        return await self.get(customer_id)

    async def list(self, limit: int, offset: int) -> list[Customer]:
        ordered = sorted(self.rows.values(), key=lambda c: (c.name, c.customer_id))
        return ordered[offset : offset + limit]

    async def count(self) -> int:
        return len(self.rows)


class FakeItemRepo:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Item] = {}

    async def find(self, manufacturer_no: str, serial_no: str) -> Item | None:
        key = (manufacturer_no, serial_no)
        return next((i for i in self.rows.values() if (i.manufacturer_no, i.serial_no) == key), None)

    async def add(self, item: Item) -> None:
        self.rows[item.item_id] = item


class FakeProductRepo:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, ProductInfo] = {}
        self.saves = 0

    async def find(self, product_id: uuid.UUID) -> ProductInfo | None:
        return self.rows.get(product_id)

    async def save(self, p: ProductInfo) -> None:
        self.rows[p.product_id] = p
        self.saves += 1

    async def by_sku(self, sku: str) -> ProductInfo:
        found = next((p for p in self.rows.values() if p.sku == sku), None)
        if found is None:
            raise NotFound(f"product {sku!r} is not in the catalog")
        return found


class FakeContractRepo:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Contract] = {}
        self.audit_log: list[tuple[uuid.UUID, str, dict[str, Any]]] = []
        self._numbers = itertools.count(1)  # a sequence: never rolled back, as in PostgreSQL

    async def next_number(self) -> str:
        return f"C-{next(self._numbers):06d}"

    async def add(self, c: Contract) -> None:
        self.rows[c.contract_id] = c

    async def save(self, c: Contract) -> None:
        self.rows[c.contract_id] = c

    async def check_coverage(self, c: Contract) -> None:
        return None

    async def audit(
        self,
        contract_id: uuid.UUID,
        action: str,
        detail: dict[str, Any],
        correlation_id: str | None,
        **_: Any,
    ) -> None:
        self.audit_log.append((contract_id, action, detail))

    async def get(self, contract_id: uuid.UUID, *, for_update: bool = False) -> Contract:
        if contract_id not in self.rows:
            raise NotFound(f"contract {contract_id} does not exist")
        return self.rows[contract_id]

    async def list(self, limit: int, offset: int, customer_id: uuid.UUID | None = None) -> list[Contract]:
        return self._of(customer_id)[offset : offset + limit]

    async def count(self, customer_id: uuid.UUID | None = None) -> int:
        return len(self._of(customer_id))

    def _of(self, customer_id: uuid.UUID | None) -> list[Contract]:
        found = [c for c in self.rows.values() if customer_id in (None, c.customer.customer_id)]
        return sorted(found, key=lambda c: c.contract_no)


class FakeProductPriceRepo:
    contracts: FakeContractRepo

    def __init__(self) -> None:
        self.rows: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    async def add(self, rows: Sequence[tuple[Any, ...]]) -> None:
        for r in rows:  # keyed like the table: product, job, list, reverted
            self.rows.setdefault((r[0], r[1], r[2], r[4]), r)

    async def following_list(self, product_id: uuid.UUID, currency: str, since: Any) -> list[uuid.UUID]:
        return [
            c.contract_id
            for c in self.contracts.rows.values()
            if c.terms.price_policy == "list"
            and c.is_open()
            and c.currency == currency
            and any(
                ln.product.product_id == product_id and ln.price_source == "list" and ln.end_date >= since
                for ln in c.lines
            )
        ]


class FakeCalendarRepo:
    """Every open contract is 'due': the handler's own recheck must decide what a day does."""

    def __init__(self, contracts: FakeContractRepo) -> None:
        self._contracts = contracts
        self.rows: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    async def due(self, today: Any, leads: Any, expiring_days: int, customer_id: Any) -> list[uuid.UUID]:
        return sorted(c.contract_id for c in self._contracts.rows.values() if c.is_open())

    async def record_reminder(
        self, contract_id: uuid.UUID, term_end: Any, basis: str, lead: int, *_: Any
    ) -> bool:
        key = (contract_id, term_end, basis, lead)
        if key in self.rows:
            return False
        self.rows[key] = key
        return True


class FakeIndexRepo:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], Any] = {}

    async def value(self, name: str, period: int) -> Any:
        return self.rows.get((name, period))


class FakeContractsUnitOfWork(FakeUnitOfWork):
    producer = "contracts"

    def bind_repositories(self) -> None:
        self.customers = FakeCustomerRepo()
        self.items = FakeItemRepo()
        self.products = FakeProductRepo()
        self.contracts = FakeContractRepo()
        self.product_prices = FakeProductPriceRepo()
        self.product_prices.contracts = self.contracts  # the table's query joins contracts
        self.calendar = FakeCalendarRepo(self.contracts)
        self.indexes = FakeIndexRepo()

    def snapshot(self) -> Any:
        repos = (self.customers, self.items, self.products, self.contracts)
        state = [dict(r.rows) for r in (*repos, self.product_prices, self.calendar)]
        return state, self.products.saves, list(self.contracts.audit_log)

    def restore(self, state: Any) -> None:
        rows, self.products.saves, self.contracts.audit_log = state
        repos = (
            self.customers,
            self.items,
            self.products,
            self.contracts,
            self.product_prices,
            self.calendar,
        )
        for repo, saved in zip(repos, rows, strict=True):
            repo.rows = saved
