"""Payments and collection: which invoice a payment pays, how much of it, and the dunning ladder. Pure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from avtal_billing.domain.references import is_valid_ocr

# Days after the due date at which each step is reached: reminder, second reminder, final notice.
LADDER = (7, 21, 35)
STEP_NAMES = {1: "reminder", 2: "second_reminder", 3: "final_notice"}
OPEN = ("issued", "partially_paid")


@dataclass(frozen=True)
class Payment:
    payment_id: str
    amount: Decimal
    currency: str
    paid_on: date
    reference: str | None = None
    invoice_no: str | None = None
    payer: str = ""
    source: str = "accounting"
    status: str = "unmatched"
    invoice_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    applied: Decimal = Decimal("0.00")
    credited: Decimal = Decimal("0.00")
    reason: str | None = None
    resolved_by: str | None = None
    received_at: datetime | None = None


@dataclass(frozen=True)
class OpenInvoice:
    """What matching needs of an invoice: its balance, currency and customer."""

    invoice_id: uuid.UUID
    invoice_no: str
    customer_id: uuid.UUID
    currency: str
    total: Decimal
    paid: Decimal
    status: str

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid


def ocr_of(reference: str | None) -> str | None:
    """The reference as an OCR number if it is one (spaces allowed, check digits right), else None."""
    digits = (reference or "").replace(" ", "")
    return digits if digits and is_valid_ocr(digits) else None


def unmatched_reason(p: Payment, found: OpenInvoice | None) -> str | None:
    """Why `p` cannot be applied to `found` (None: it can)."""
    if found is None:
        given = " or ".join(x for x in (p.reference and f"reference {p.reference}",
                                        p.invoice_no and f"invoice {p.invoice_no}") if x)  # fmt: skip
        return f"no invoice matches {given or 'the payment (it names no reference)'}"
    if found.currency != p.currency:
        return f"invoice {found.invoice_no} is in {found.currency}, the payment in {p.currency}"
    return None


def split(amount: Decimal, inv: OpenInvoice) -> tuple[Decimal, Decimal]:
    """How much of `amount` pays the invoice and how much is over (kept as the customer's credit)."""
    applied = min(amount, max(inv.balance, Decimal("0.00")))
    return applied, amount - applied


def status_after(inv: OpenInvoice, applied: Decimal) -> str:
    return "paid" if inv.paid + applied >= inv.total else "partially_paid"


def due_step(days_overdue: int, ladder: tuple[int, ...] = LADDER) -> int:
    """The dunning step an invoice `days_overdue` past its due date has reached (0: none yet)."""
    return sum(1 for d in ladder if days_overdue >= d)
