"""Events the billing service publishes."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints

from avtal_common.events import Payload
from avtal_common.money import Amount, Currency

# A path on the billing service: segments of letters, digits, `.`, `_`, `-`, each starting with a letter
# or digit. No scheme, host, `//`, `..`, `%`, `?` or `\`, so a consumer can only ever join it to
# billing's own base URL. (Old events carried other relative paths; today's are `/invoices/<id>/pdf`.)
_BILLING_PATH = re.compile(r"/?[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")
_INVOICE_PDF_PATH = re.compile(r"/invoices/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/pdf")


def _billing_path(path: str) -> str:
    if not _BILLING_PATH.fullmatch(path):
        raise ValueError(f"{path[:100]!r} is not a path on the billing service (like /invoices/<id>/pdf)")
    return path


BillingPath = Annotated[str, AfterValidator(_billing_path)]


def is_invoice_pdf_path(path: str) -> bool:
    """True only for `/invoices/<uuid>/pdf`: the one document a consumer may fetch from billing."""
    return _INVOICE_PDF_PATH.fullmatch(path) is not None


class InvoiceLineData(BaseModel):
    model_config = ConfigDict(frozen=True)

    description: str
    period_start: date
    period_end: date
    amount: Amount  # net
    # Added by issue 9 (defaults keep older events readable):
    contract_id: uuid.UUID | None = None
    serials: str = ""
    vat_rate: Decimal = Decimal("0")
    vat: Amount = Decimal("0.00")


class InvoiceGenerated(Payload):
    """`invoice.generated`: an invoice was issued and its PDF stored. `total` includes VAT; `net` is
    what revenue counts (docs/billing-model.md)."""

    invoice_id: uuid.UUID
    invoice_no: str
    contract_id: uuid.UUID | None  # None when the invoice groups several contracts (see the lines)
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
    # Claim check: the PDF stays in billing; consumers fetch it by this path (on billing's base URL,
    # never a URL of the event's choosing) and verify the hash.
    pdf_path: BillingPath
    pdf_sha256: str
    # Added by issue 9: net and VAT (None in older events, whose total had no VAT), kind, OCR reference.
    net: Amount | None = None
    vat: Amount = Decimal("0.00")
    kind: str = "invoice"  # invoice (invoice.generated), credit_note (invoice.credited), renewal_quote
    ocr: str | None = None
    credits_invoice_id: uuid.UUID | None = None  # the invoice a credit note credits


class PaymentReceived(Payload):
    """`payment.received`: an accounting system (or staff in the portal) saw money come in. Matched by
    `reference` (an OCR number) or else `invoice_no`; `payment_id` is the payer system's own id, so the
    same payment delivered twice is applied once."""

    payment_id: Annotated[
        str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
    ]
    amount: Annotated[
        Decimal, Field(gt=0, max_digits=14, decimal_places=2), PlainSerializer(str, return_type=str)
    ]
    currency: Currency
    paid_on: date
    reference: Annotated[str, StringConstraints(max_length=40, pattern=r"^[0-9 ]*$")] | None = None
    invoice_no: Annotated[str, StringConstraints(max_length=40, pattern=r"^[A-Za-z0-9-]*$")] | None = None
    payer: Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")] = ""
    source: Annotated[str, StringConstraints(max_length=50, pattern=r"^[a-z0-9_.-]+$")] = "accounting"


class InvoicePaid(Payload):
    """`invoice.paid`: the invoice's balance reached zero."""

    invoice_id: uuid.UUID
    invoice_no: str
    customer_id: uuid.UUID
    currency: Currency
    total: Amount
    paid: Amount
    paid_on: date


class PaymentApplied(Payload):
    """`payment.applied`: billing applied a payment to an invoice (`applied`, VAT included) and kept
    what went beyond its balance as the customer's credit (`credited`); one event per payment id."""

    payment_id: str
    invoice_id: uuid.UUID
    invoice_no: str
    customer_id: uuid.UUID
    currency: Currency
    applied: Amount
    credited: Amount
    paid_on: date


class InvoiceOverdue(Payload):
    """`invoice.overdue`: a step of the dunning ladder was reached (1 reminder, 2 second reminder,
    3 final notice); sent once per invoice and step."""

    invoice_id: uuid.UUID
    invoice_no: str
    customer_id: uuid.UUID
    customer_name: str
    customer_email: str
    locale: str = "en"
    currency: Currency
    total: Amount
    balance: Amount
    due_date: date
    days_overdue: int
    step: int
    step_name: str


class RunFailureData(BaseModel):
    model_config = ConfigDict(frozen=True)

    contract_id: uuid.UUID
    period_start: date
    reason: str


class BillingRunFinished(Payload):
    """`billing.run.finished`: a billing run (one round of its key) finished; `failed` counts its open
    failures and `failures` lists the first of them (at most 20)."""

    run_id: uuid.UUID
    run_key: str
    as_of: date
    round: int
    invoices_created: int
    failed: int
    failures: list[RunFailureData] = []
