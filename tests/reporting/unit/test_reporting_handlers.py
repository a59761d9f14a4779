"""Folding invoice.generated into the revenue read model, against a fake unit of work."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from reporting.unit.fakes import FakeReportingUnitOfWork

from avtal_common.outbox import new_envelope
from avtal_common.payloads.billing import InvoiceGenerated
from avtal_common.topics import INVOICE_GENERATED
from avtal_reporting.consumers import HANDLERS
from avtal_reporting.domain.revenue import MonthlyRevenue
from avtal_testing.fakes import deliver

ON_INVOICE_GENERATED = next(h for h in HANDLERS if h.topic == INVOICE_GENERATED)


def _invoice(total: str, issued: date = date(2025, 4, 17), currency: str = "SEK") -> InvoiceGenerated:
    return InvoiceGenerated(
        invoice_id=uuid.uuid4(),
        invoice_no=f"INV-{uuid.uuid4().hex[:8]}",
        contract_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        customer_name="Acme Kontor AB",
        customer_email="billing@acme.example",
        currency=currency,
        issue_date=issued,
        due_date=date(2025, 5, 17),
        period_start=date(2025, 4, 1),
        period_end=date(2025, 7, 1),
        total=Decimal(total),
        lines=[],
        pdf_path="/invoices/x/pdf",
        pdf_sha256="0" * 64,
    )


def _event(invoice: InvoiceGenerated):
    return new_envelope(INVOICE_GENERATED, "billing", invoice.invoice_id, invoice)


async def test_the_same_invoice_event_twice_is_counted_once() -> None:
    uow, event = FakeReportingUnitOfWork(), _event(_invoice("1200.00"))

    outcomes = [await deliver(uow, ON_INVOICE_GENERATED, event) for _ in range(2)]

    assert outcomes == ["handled", "duplicate"]
    assert await uow.revenue.by_month() == [MonthlyRevenue(date(2025, 4, 1), "SEK", Decimal("1200.00"), 1)]


async def test_a_second_event_about_a_counted_invoice_is_not_counted_again() -> None:
    uow, invoice = FakeReportingUnitOfWork(), _invoice("1200.00")

    for _ in range(2):
        assert await deliver(uow, ON_INVOICE_GENERATED, _event(invoice)) == "handled"

    assert [f.invoice_id for f in uow.revenue.facts_added] == [invoice.invoice_id]


async def test_invoices_of_one_month_and_currency_add_up_and_others_stay_apart() -> None:
    uow = FakeReportingUnitOfWork()
    invoices = [
        _invoice("1200.00", date(2025, 4, 1)),
        _invoice("300.50", date(2025, 4, 30)),
        _invoice("99.00", date(2025, 5, 1)),
        _invoice("10.00", date(2025, 4, 2), currency="EUR"),
    ]

    for invoice in invoices:
        await deliver(uow, ON_INVOICE_GENERATED, _event(invoice))

    assert await uow.revenue.by_month() == [
        MonthlyRevenue(date(2025, 4, 1), "EUR", Decimal("10.00"), 1),
        MonthlyRevenue(date(2025, 4, 1), "SEK", Decimal("1500.50"), 2),  # 1200.00 + 300.50
        MonthlyRevenue(date(2025, 5, 1), "SEK", Decimal("99.00"), 1),
    ]


async def test_counting_an_invoice_publishes_nothing() -> None:
    uow = FakeReportingUnitOfWork()

    await deliver(uow, ON_INVOICE_GENERATED, _event(_invoice("1.00")))

    assert uow.outbox.events == []
