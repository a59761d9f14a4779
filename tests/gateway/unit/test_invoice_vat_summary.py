"""The invoice page's VAT summary: net and VAT per rate, highest rate first, summed from the lines."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from avtal_common.api.responses import Invoice, InvoiceLine
from avtal_gateway.handlers.views import vat_groups


def _line(no: int, rate: str, net: str, vat: str) -> InvoiceLine:
    d = date(2026, 1, 1)
    return InvoiceLine(line_no=no, description="x", period_start=d, period_end=d, amount=Decimal(net),
                       vat_rate=Decimal(rate), vat=Decimal(vat))  # fmt: skip


def test_lines_sum_per_vat_rate_highest_first() -> None:
    d = date(2026, 1, 1)
    lines = [_line(1, "6", "100.00", "6.00"), _line(2, "25", "1000.00", "250.00"),
             _line(3, "25", "10.10", "2.53"), _line(4, "0", "5.00", "0.00"),
             _line(5, "12", "50.00", "6.00")]  # fmt: skip
    inv = Invoice(invoice_id=uuid.uuid4(), invoice_no="INV-2026-000001", contract_id=None, contract_no=None,
                  customer_id=uuid.uuid4(), customer_name="K", currency="SEK", issue_date=d, due_date=d,
                  period_start=d, period_end=d, total=Decimal("1429.63"), status="issued", pdf_ready=True,
                  lines=lines)  # fmt: skip

    groups = vat_groups(inv)

    assert groups == [
        (Decimal(25), Decimal("1010.10"), Decimal("252.53")),
        (Decimal(12), Decimal("50.00"), Decimal("6.00")),
        (Decimal(6), Decimal("100.00"), Decimal("6.00")),
        (Decimal(0), Decimal("5.00"), Decimal("0.00")),
    ]
