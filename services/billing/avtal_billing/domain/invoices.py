"""Invoices: what one billing period of one contract becomes, its number, due date and PDF state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from avtal_billing.domain.contracts import Contract
from avtal_billing.domain.schedules import PeriodLine
from avtal_common.errors import DomainError


class InvoiceRefused(Exception):
    """The store would not take this invoice (a constraint, a trigger, bad data): it is recorded as
    a failure of its period while the other invoices of the run go on."""


@dataclass(frozen=True)
class DuePeriod:
    """A billing period not billed yet (its last day inclusive) with the contract it bills."""

    contract: Contract
    period_start: date
    period_end: date
    lines: tuple[PeriodLine, ...]


@dataclass(frozen=True)
class InvoiceLine:
    line_no: int
    description: str
    period_start: date
    period_end: date
    amount: Decimal


@dataclass(frozen=True)
class Invoice:
    invoice_id: uuid.UUID
    invoice_no: str
    contract_id: uuid.UUID
    contract_no: str
    customer_id: uuid.UUID
    customer_name: str
    customer_email: str
    locale: str
    currency: str
    issue_date: date
    due_date: date
    period_start: date
    period_end: date
    total: Decimal
    lines: tuple[InvoiceLine, ...]
    run_id: uuid.UUID | None = None
    correlation_id: str | None = None
    status: str = "issued"
    pdf_sha256: str | None = None
    pdf_attempts: int = 0
    pdf_error: str | None = None

    @property
    def pdf_path(self) -> str:
        """Where the notifier fetches the PDF: a path on the billing service, never a full URL."""
        return f"/invoices/{self.invoice_id}/pdf"


@dataclass(frozen=True)
class Seller:
    name: str
    address: str
    vat_no: str


def invoice_number(year: int, n: int) -> str:
    return f"INV-{year}-{n:06d}"


def due_date(issue: date, terms_days: int) -> date:
    return issue + timedelta(days=terms_days)


def bill(
    period: DuePeriod,
    number: str,
    issue_date: date,
    terms_days: int,
    run_id: uuid.UUID | None = None,
    correlation_id: str | None = None,
) -> Invoice:
    """The invoice of one period: one line per period line, the total their sum."""
    if not period.lines:
        raise DomainError(
            f"the period from {period.period_start} of contract {period.contract.contract_no} has no lines"
        )
    c = period.contract
    lines = tuple(
        InvoiceLine(i, ln.description, period.period_start, period.period_end, ln.amount)
        for i, ln in enumerate(period.lines, 1)
    )
    return Invoice(
        invoice_id=uuid.uuid4(),
        invoice_no=number,
        contract_id=c.contract_id,
        contract_no=c.contract_no,
        customer_id=c.customer_id,
        customer_name=c.customer_name,
        customer_email=c.customer_email,
        locale=c.locale,
        currency=c.currency,
        issue_date=issue_date,
        due_date=due_date(issue_date, terms_days),
        period_start=period.period_start,
        period_end=period.period_end,
        total=sum((ln.amount for ln in lines), Decimal("0.00")),
        lines=lines,
        run_id=run_id,
        correlation_id=correlation_id,
    )


def render_backoff_s(attempts: int) -> float:
    """Wait before rendering a failed PDF again: 30 s, doubling per attempt, at most an hour."""
    return float(min(30 * 2 ** max(attempts - 1, 0), 3600))
