"""Revenue read model: invoices counted once each, in the month of their invoice date."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class InvoiceFact:
    """What reporting keeps of one invoice."""

    invoice_id: uuid.UUID
    invoice_no: str
    customer_id: uuid.UUID
    contract_id: uuid.UUID | None  # None for an invoice grouping several contracts
    issue_date: date
    currency: str
    total: Decimal

    @property
    def month(self) -> date:
        return revenue_month(self.issue_date)


@dataclass(frozen=True)
class MonthlyRevenue:
    month: date
    currency: str
    invoiced: Decimal
    invoices: int


def revenue_month(issue_date: date) -> date:
    return issue_date.replace(day=1)
