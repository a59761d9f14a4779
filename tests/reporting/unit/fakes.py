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

    async def counted(self, invoice_id: uuid.UUID) -> bool:
        return any(f.invoice_id == invoice_id for f in self.facts_added)

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


class FakeReportingUnitOfWork(FakeUnitOfWork):
    producer = "reporting"

    def bind_repositories(self) -> None:
        self.revenue = FakeRevenueRepo()

    def snapshot(self) -> Any:
        return list(self.revenue.facts_added)

    def restore(self, state: Any) -> None:
        self.revenue.facts_added = state
