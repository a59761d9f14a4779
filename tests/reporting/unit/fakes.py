"""In-memory revenue read model of reporting, for handler tests.

Adding a fact always adds to its month (no unique key): counting an invoice once is the job of the
inbox and of the handler's rule, which these tests check."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from avtal_reporting.domain.revenue import InvoiceFact, MonthlyRevenue
from avtal_testing.fakes import FakeUnitOfWork


class FakeRevenueRepo:
    def __init__(self) -> None:
        self.facts_added: list[InvoiceFact] = []

    async def add(self, fact: InvoiceFact) -> None:
        self.facts_added.append(fact)

    async def by_month(self) -> list[MonthlyRevenue]:
        months: dict[tuple[Any, str], MonthlyRevenue] = {}
        for f in self.facts_added:
            m = months.get((f.month, f.currency), MonthlyRevenue(f.month, f.currency, Decimal("0"), 0))
            months[(f.month, f.currency)] = MonthlyRevenue(
                m.month, m.currency, m.invoiced + f.total, m.invoices + 1
            )
        return [months[k] for k in sorted(months)]

    async def facts(self, invoice_ids: list[uuid.UUID]) -> list[InvoiceFact]:
        return [f for f in self.facts_added if f.invoice_id in invoice_ids]


class FakeFactsRepo:
    """Keeps what the folding handlers write, with the store's once-per-id rules."""

    def __init__(self) -> None:
        self.version = 0
        self.contracts: dict[uuid.UUID, Any] = {}
        self.documents: dict[uuid.UUID, tuple[Any, ...]] = {}
        self.lines: list[tuple[Any, ...]] = []
        self.recognized: dict[tuple[str, Any, Any], Decimal] = {}
        self.month_totals: dict[tuple[str, Any], list[Decimal]] = {}
        self.entries: dict[str, tuple[Any, ...]] = {}
        self.collections: dict[str, tuple[Any, ...]] = {}
        self.settled: list[uuid.UUID] = []
        self.steps: set[tuple[Any, str]] = set()
        self.names: dict[uuid.UUID, tuple[int, str]] = {}
        self.vendors: dict[uuid.UUID, str | None] = {}

    async def bump(self) -> None:
        self.version += 1

    async def keep_contract(self, c: Any) -> bool:
        if c.contract_id in self.contracts and self.contracts[c.contract_id].version >= c.version:
            return False
        self.contracts[c.contract_id] = c
        return True

    async def name_customer(self, customer_id: uuid.UUID, version: int, name: str) -> None:
        if self.names.get(customer_id, (-1, ""))[0] < version:
            self.names[customer_id] = (version, name)

    async def product_vendor(self, product_id: uuid.UUID, vendor: str | None) -> None:
        self.vendors[product_id] = vendor

    async def renewal_step(self, contract_id: uuid.UUID, step: str, on: Any) -> None:
        self.steps.add((contract_id, step))

    async def add_document(self, invoice_id: uuid.UUID, *rest: Any) -> bool:
        if invoice_id in self.documents:
            return False
        self.documents[invoice_id] = rest
        return True

    async def add_lines(self, invoice_id: uuid.UUID, customer_id: Any, currency: str, issued: Any,
                        lines: Any) -> None:  # fmt: skip
        self.lines += [(invoice_id, *ln) for ln in lines]

    async def recognize(self, currency: str, issue_month: Any, months: dict[Any, Decimal]) -> None:
        for m, a in months.items():
            key = (currency, issue_month, m)
            self.recognized[key] = self.recognized.get(key, Decimal(0)) + a

    async def add_to_month(self, currency: str, month: Any, sales: Decimal, collected: Decimal) -> None:
        t = self.month_totals.setdefault((currency, month), [Decimal(0), Decimal(0)])
        t[0] += sales
        t[1] += collected

    async def add_entry(self, entry_id: str, *rest: Any) -> bool:
        if entry_id in self.entries:
            return False
        self.entries[entry_id] = rest
        return True

    async def add_collection(self, payment_id: str, *rest: Any) -> bool:
        if payment_id in self.collections:
            return False
        self.collections[payment_id] = rest
        return True

    async def settle(self, invoice_id: uuid.UUID) -> None:
        self.settled.append(invoice_id)


class FakeReportingUnitOfWork(FakeUnitOfWork):
    producer = "reporting"

    def bind_repositories(self) -> None:
        self.revenue = FakeRevenueRepo()
        self.facts = FakeFactsRepo()

    def snapshot(self) -> Any:
        return list(self.revenue.facts_added)

    def restore(self, state: Any) -> None:
        self.revenue.facts_added = state
