"""Events the billing service publishes."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict

from avtal_common.events import Payload
from avtal_common.money import Amount, Currency


class InvoiceLineData(BaseModel):
    model_config = ConfigDict(frozen=True)

    description: str
    period_start: date
    period_end: date
    amount: Amount


class InvoiceGenerated(Payload):
    invoice_id: uuid.UUID
    invoice_no: str
    contract_id: uuid.UUID
    customer_id: uuid.UUID
    customer_name: str
    customer_email: str
    locale: str = "en"
    currency: Currency
    issue_date: date
    due_date: date
    period_start: date
    period_end: date
    total: Amount
    lines: list[InvoiceLineData]
    # Claim check: the PDF stays in billing; consumers fetch it by this path and verify the hash.
    pdf_path: str
    pdf_sha256: str
