"""Reporting's unit of work: its read models on one transaction."""

from __future__ import annotations

from typing import Any

from avtal_common.uow import UnitOfWork
from avtal_reporting.store.dashboard import DashboardRepo
from avtal_reporting.store.facts import FactsRepo
from avtal_reporting.store.revenue import RevenueRepo


class ReportingUnitOfWork(UnitOfWork):
    revenue: RevenueRepo
    facts: FactsRepo
    dashboard: DashboardRepo

    def bind_repositories(self, conn: Any) -> None:
        self.revenue = RevenueRepo(conn)
        self.facts = FactsRepo(conn)
        self.dashboard = DashboardRepo(conn)
