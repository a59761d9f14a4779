"""Invoices: what due billing periods become, their VAT, number, payment reference, due date and PDF state.

Rounding (docs/billing-model.md): each line's net is rounded half up to the cent when it is scheduled;
each line's VAT is its net × rate, rounded half up to the cent; the invoice's net, VAT and total are
the sums of its lines, so every total is reproducible from the invoice's own lines."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from avtal_billing.domain.contracts import Buyer, Contract
from avtal_billing.domain.references import ocr_reference
from avtal_billing.domain.schedules import PeriodLine
from avtal_common.errors import DomainError
from avtal_common.money import round_money

KINDS = ("invoice", "credit_note", "renewal_quote")


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
    period_start: date  # the service days this line bills (last day inclusive)
    period_end: date
    amount: Decimal  # net
    contract_id: uuid.UUID | None = None
    contract_no: str | None = None
    billing_period_start: date | None = None  # the schedule period it bills (its key)
    line_id: uuid.UUID | None = None  # the contract line; None for an adjustment or a fee
    serials: str = ""  # the covered items' serial numbers
    quantity: int = 1
    unit_price: Decimal | None = None  # per unit and year
    vat_rate: Decimal = Decimal("0")  # percent
    vat: Decimal = Decimal("0.00")
    kind: str = "invoice"


@dataclass(frozen=True)
class VatGroup:
    """One row of the invoice's tax summary."""

    rate: Decimal
    net: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Invoice:
    invoice_id: uuid.UUID
    invoice_no: str | None  # None while a draft
    contract_id: uuid.UUID | None  # None when the invoice groups several contracts (see its lines)
    contract_no: str | None
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
    status: str = "issued"  # draft, issued (then paid, credited as later facts say)
    pdf_sha256: str | None = None
    pdf_attempts: int = 0
    pdf_error: str | None = None
    kind: str = "invoice"
    series: str | None = None
    buyer: Buyer | None = None  # the snapshot printed on the invoice
    net: Decimal = Decimal("0.00")
    vat: Decimal = Decimal("0.00")
    reverse_charge: bool = False
    ocr: str | None = None
    credits_invoice_id: uuid.UUID | None = None
    notices: tuple[dict[str, str], ...] = ()  # announced price changes: {date, old, new, description}
    paid: Decimal = Decimal("0.00")
    credits_invoice_no: str | None = None  # the number of the invoice a credit note credits

    @property
    def vat_groups(self) -> list[VatGroup]:
        """Net and VAT per rate, highest rate first: the sums of the lines at that rate."""
        groups: dict[Decimal, tuple[Decimal, Decimal]] = {}
        for ln in self.lines:
            net, vat = groups.get(ln.vat_rate, (Decimal("0.00"), Decimal("0.00")))
            groups[ln.vat_rate] = (net + ln.amount, vat + ln.vat)
        return [VatGroup(rate, *groups[rate]) for rate in sorted(groups, reverse=True)]

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid

    @property
    def pdf_path(self) -> str:
        """Where the notifier fetches the PDF: a path on the billing service, never a full URL."""
        return f"/invoices/{self.invoice_id}/pdf"


@dataclass(frozen=True)
class Seller:
    name: str
    address: str
    vat_no: str
    org_no: str = ""
    bankgiro: str = ""
    iban: str = ""
    bic: str = ""
    email: str = ""


SERIES_PREFIX = {"invoice": "INV", "credit_note": "CN", "renewal_quote": "RQ"}


def series_of(kind: str, year: int) -> str:
    """The numbering series of a kind of document in a year: INV-2026, CN-2026 (gapless each)."""
    return f"{SERIES_PREFIX[kind]}-{year}"


def invoice_number(year: int, n: int, kind: str = "invoice") -> str:
    return f"{SERIES_PREFIX[kind]}-{year}-{n:06d}"


def line_vat_rate(line: PeriodLine, buyer: Buyer) -> Decimal:
    """The line's own rate, else the buyer's; reverse charge makes it 0 (the buyer accounts for VAT)."""
    if buyer.reverse_charge:
        return Decimal("0")
    return line.vat_rate if line.vat_rate is not None else buyer.vat_rate


def vat_of(net: Decimal, rate: Decimal) -> Decimal:
    return round_money(net * rate / Decimal(100))


def due_date(issue: date, terms_days: int) -> date:
    return issue + timedelta(days=terms_days)


def bill(
    period: DuePeriod | list[DuePeriod],
    number: str,
    issue_date: date,
    terms_days: int | None = None,
    run_id: uuid.UUID | None = None,
    correlation_id: str | None = None,
    invoice_no: int | None = None,
) -> Invoice:
    """The invoice of one customer's due periods (one contract's, or several of the same buyer and
    currency): one line per period line, VAT per line, totals the sums of the lines. `terms_days`
    None takes the buyer's payment terms. `invoice_no` (the number's sequence value) makes the OCR
    reference; without it the reference is left out."""
    periods = period if isinstance(period, list) else [period]
    if not periods or not any(p.lines for p in periods):
        first = periods[0] if periods else None
        what = (
            f"the period from {first.period_start} of contract {first.contract.contract_no}"
            if first
            else "it"
        )
        raise DomainError(f"nothing to invoice: {what} has no lines")
    c = periods[0].contract
    buyer = c.billed_to()
    currencies = {p.contract.currency for p in periods}
    if len(currencies) > 1 or len({p.contract.customer_id for p in periods}) > 1:
        raise DomainError("one invoice bills one customer in one currency")
    lines: list[InvoiceLine] = []
    for p in periods:
        for ln in p.lines:
            rate = line_vat_rate(ln, buyer)
            lines.append(
                InvoiceLine(
                    len(lines) + 1,
                    ln.description,
                    ln.start or p.period_start,
                    ln.end or p.period_end,
                    ln.amount,
                    p.contract.contract_id,
                    p.contract.contract_no,
                    p.period_start,
                    ln.line_id,
                    ln.serials,
                    ln.quantity,
                    ln.unit_price,
                    rate,
                    vat_of(ln.amount, rate),
                )
            )
    net = sum((ln.amount for ln in lines), Decimal("0.00"))
    vat = sum((ln.vat for ln in lines), Decimal("0.00"))
    one_contract = len({p.contract.contract_id for p in periods}) == 1
    terms = buyer.payment_terms_days if terms_days is None else terms_days
    return Invoice(
        invoice_id=uuid.uuid4(),
        invoice_no=number,
        contract_id=c.contract_id if one_contract else None,
        contract_no=c.contract_no if one_contract else None,
        customer_id=c.customer_id,
        customer_name=buyer.name,
        customer_email=buyer.email,
        locale=buyer.locale,
        currency=c.currency,
        issue_date=issue_date,
        due_date=due_date(issue_date, terms),
        period_start=min(p.period_start for p in periods),
        period_end=max(p.period_end for p in periods),
        total=net + vat,
        lines=tuple(lines),
        run_id=run_id,
        correlation_id=correlation_id,
        series=number.rsplit("-", 1)[0] if number else None,
        buyer=buyer,
        net=net,
        vat=vat,
        reverse_charge=buyer.reverse_charge,
        ocr=ocr_reference(issue_date.year, invoice_no) if invoice_no is not None else None,
    )


def render_backoff_s(attempts: int) -> float:
    """Wait before rendering a failed PDF again: 30 s, doubling per attempt, at most an hour."""
    return float(min(30 * 2 ** max(attempts - 1, 0), 3600))
