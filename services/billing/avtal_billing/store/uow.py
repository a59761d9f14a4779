"""Billing's unit of work: contracts, schedules, invoices and runs on one transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from avtal_billing.domain.invoices import InvoiceRefused
from avtal_billing.store.contracts import ContractRepo, CustomerRepo
from avtal_billing.store.invoices import InvoiceRepo
from avtal_billing.store.payments import PaymentRepo
from avtal_billing.store.runs import RunRepo
from avtal_billing.store.schedules import ScheduleRepo
from avtal_common.consumer_errors import Fault, classify
from avtal_common.uow import UnitOfWork


class BillingUnitOfWork(UnitOfWork):
    contracts: ContractRepo
    customers: CustomerRepo
    schedules: ScheduleRepo
    invoices: InvoiceRepo
    runs: RunRepo
    payments: PaymentRepo

    def bind_repositories(self, conn: Any) -> None:
        self.contracts = ContractRepo(conn)
        self.customers = CustomerRepo(conn)
        self.schedules = ScheduleRepo(conn)
        self.invoices = InvoiceRepo(conn)
        self.runs = RunRepo(conn)
        self.payments = PaymentRepo(conn)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Writes in the block are undone alone if the database refuses them, and the refusal is
        raised as `InvoiceRefused`, so the rest of the transaction can go on."""
        try:
            async with self.conn.transaction():
                yield
        except asyncpg.PostgresError as exc:
            # An outage (connection, disk full, read-only, timeouts, deadlock) says nothing about the
            # invoice: it aborts the whole chunk, which is retried; only a refusal is the invoice's own.
            if classify(exc) is Fault.INFRASTRUCTURE:
                raise
            raise InvoiceRefused(_reason(exc)) from exc


def _reason(exc: asyncpg.PostgresError) -> str:
    detail = f" ({exc.detail})" if getattr(exc, "detail", None) else ""
    return f"{exc.sqlstate} {exc}{detail}"
