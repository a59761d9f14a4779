"""A sample `invoice.generated` payload the notifier's unit tests share."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from avtal_common.payloads.billing import InvoiceGenerated, InvoiceLineData


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
