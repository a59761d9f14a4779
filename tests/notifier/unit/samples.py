"""Sample payloads of the events the notifier's unit tests share."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from avtal_common.payloads.billing import (
    BillingRunFinished,
    InvoiceGenerated,
    InvoiceLineData,
    InvoiceOverdue,
    InvoicePaid,
    RunFailureData,
)
from avtal_common.payloads.contracts import (
    BulkJobFailure,
    BulkJobFinished,
    ContractExpiring,
    ContractRenewed,
    CustomerRef,
)


def invoice_generated(
    locale: str = "en", pdf_path: str = "/invoices/6c1f/pdf", pdf_sha256: str = "0" * 64
) -> InvoiceGenerated:
    return InvoiceGenerated(
        invoice_id=uuid.uuid4(),
        invoice_no="INV-2025-000042",
        contract_id=uuid.uuid4(),
        customer_id=uuid.uuid4(),
        customer_name="Acme Kontor AB",
        customer_email="billing@acme.example",
        locale=locale,
        currency="SEK",
        issue_date=date(2025, 4, 1),
        due_date=date(2025, 5, 1),
        period_start=date(2025, 4, 1),
        period_end=date(2025, 7, 1),
        total=Decimal("1234.50"),
        lines=[
            InvoiceLineData(
                description="Printer care",
                period_start=date(2025, 4, 1),
                period_end=date(2025, 7, 1),
                amount=Decimal("1234.50"),
            )
        ],
        pdf_path=pdf_path,
        pdf_sha256=pdf_sha256,
    )


CUSTOMER_ID = uuid.UUID("0b7c6a1e-3f2d-4e5a-8b9c-1d2e3f4a5b6c")
CONTRACT_ID = uuid.UUID("5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716")


def customer(locale: str = "en", email: str = "billing@acme.example") -> CustomerRef:
    return CustomerRef(customer_id=CUSTOMER_ID, name="Acme Kontor AB", email=email, locale=locale)


def contract_expiring(
    locale: str = "en", auto_renew: bool = False, end_date: date = date(2025, 6, 30), lead_days: int = 90
) -> ContractExpiring:
    return ContractExpiring(
        contract_id=CONTRACT_ID,
        contract_no="C-2024-0007",
        customer=customer(locale),
        end_date=end_date,
        notice_deadline=end_date - timedelta(days=30),
        basis="term_end",
        lead_days=lead_days,
        due_on=end_date - timedelta(days=lead_days),
        auto_renew=auto_renew,
        annual_value=Decimal("12000.00"),
        currency="SEK",
    )


def renewal_quoted(
    locale: str = "en", pdf_path: str = "/invoices/6c1f/pdf", pdf_sha256: str = "0" * 64
) -> InvoiceGenerated:
    q = invoice_generated(locale, pdf_path, pdf_sha256)
    return q.model_copy(
        update={
            "kind": "renewal_quote",
            "invoice_no": "RQ-2025-000003",
            "contract_id": CONTRACT_ID,
            "customer_id": CUSTOMER_ID,
            "issue_date": date(2025, 4, 1),
            "period_start": date(2025, 7, 1),
            "period_end": date(2026, 6, 30),
            "total": Decimal("12360.00"),
        }
    )


def invoice_paid() -> InvoicePaid:
    return InvoicePaid(
        invoice_id=uuid.uuid4(), invoice_no="INV-2025-000042", customer_id=CUSTOMER_ID, currency="SEK",
        total=Decimal("1234.50"), paid=Decimal("1234.50"), paid_on=date(2025, 4, 20),
    )  # fmt: skip


def invoice_overdue(step: int, locale: str = "en") -> InvoiceOverdue:
    return InvoiceOverdue(
        invoice_id=uuid.uuid4(), invoice_no="INV-2025-000042", customer_id=CUSTOMER_ID,
        customer_name="Acme Kontor AB", customer_email="billing@acme.example", locale=locale, currency="SEK",
        total=Decimal("1234.50"), balance=Decimal("234.50"), due_date=date(2025, 5, 1),
        days_overdue={1: 7, 2: 21, 3: 35}[step], step=step,
        step_name={1: "reminder", 2: "second", 3: "final"}[step],
    )  # fmt: skip


def contract_renewed() -> ContractRenewed:
    return ContractRenewed(
        contract_id=CONTRACT_ID, contract_no="C-2024-0007", successor_id=uuid.uuid4(),
        successor_no="C-2025-0031",
        start_date=date(2025, 7, 1), end_date=date(2026, 6, 30), how="accepted",
        annual_value_before=Decimal("12000.00"), annual_value_after=Decimal("12360.00"), currency="SEK",
    )  # fmt: skip


def billing_run_finished(failed: int = 2) -> BillingRunFinished:
    failures = [
        RunFailureData(
            contract_id=uuid.uuid4(), period_start=date(2025, 4, 1), reason=f"no price for line {i}"
        )
        for i in range(failed)
    ]
    return BillingRunFinished(
        run_id=uuid.uuid4(), run_key="auto:2025-04-01", as_of=date(2025, 4, 1), round=1, invoices_created=40,
        failed=failed, failures=failures,
    )  # fmt: skip


def bulk_job_finished(failed: int = 1) -> BulkJobFinished:
    failures = [
        BulkJobFailure(contract_id=uuid.uuid4(), contract_no=f"C-2024-00{i}", reason="coverage clash")
        for i in range(failed)
    ]
    return BulkJobFinished(
        job_id=uuid.uuid4(), kind="change_prices", actor="staff@avtal.local", selected=10, done=10 - failed,
        failed=failed, failures=failures,
    )  # fmt: skip
