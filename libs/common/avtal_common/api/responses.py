"""Response bodies of the public API (/api/v1): the fields the services' internal APIs answer with."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from avtal_common.money import Amount


class Out(BaseModel):
    # A service may add fields (additive changes only); the public API shows only those declared here.
    model_config = ConfigDict(extra="ignore")


class Product(Out):
    product_id: uuid.UUID
    sku: str
    name: str
    description: str
    vendor: str | None
    category: str | None
    annual_price: Amount
    currency: str
    active: bool
    version: int
    manufacturer: str | None = None
    models: list[str] = []
    maintenance_level: str | None = None
    billing_unit: str = "item_year"
    vat_rate: Decimal | None = None
    retired_at: datetime | None = None


class Customer(Out):
    customer_id: uuid.UUID
    name: str
    email: str
    locale: str
    external_ref: str | None
    # Contact and billing terms (issue 8; defaults keep older answers readable).
    contact_name: str | None = None
    phone: str | None = None
    address_line: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str = "SE"
    currency: str = "SEK"
    payment_terms_days: int = 30
    tax_id: str | None = None
    vat_rate: Decimal = Decimal("25.00")
    reverse_charge: bool = False
    external_ids: dict[str, str] = {}
    version: int = 1


class Site(Out):
    site_id: uuid.UUID
    customer_id: uuid.UUID
    name: str
    address_line: str | None
    postal_code: str | None
    city: str | None
    country: str
    external_ref: str | None


class CoveringContract(Out):
    contract_id: uuid.UUID
    contract_no: str
    start_date: date  # the covering line's days
    end_date: date


class Item(Out):
    """A covered machine with the contract that covers it today (None: uncovered today)."""

    item_id: uuid.UUID
    customer_id: uuid.UUID
    manufacturer_no: str
    model: str
    serial_no: str
    product_id: uuid.UUID | None
    sku: str | None
    site_id: uuid.UUID | None
    site_name: str | None
    install_date: date | None
    external_ref: str | None
    covered_by: CoveringContract | None


class CoveredItem(Out):
    item_id: uuid.UUID
    manufacturer_no: str
    model: str
    serial_no: str
    site_id: uuid.UUID | None = None


class ContractLine(Out):
    line_id: uuid.UUID
    sku: str
    product_name: str
    annual_price: Amount
    item: CoveredItem
    unit_price: Amount | None = None
    quantity: int = 1
    start_date: date | None = None
    end_date: date | None = None
    price_source: str = "list"


class ContractTerms(Out):
    billing_interval_months: int
    billing_timing: str
    price_policy: str
    uplift_pct: Decimal | None
    uplift_index: str | None
    auto_renew: bool
    renewal_term_months: int
    notice_days: int


class Contract(Out):
    contract_id: uuid.UUID
    contract_no: str
    customer_id: uuid.UUID
    customer_name: str
    currency: str
    start_date: date
    end_date: date
    billing_interval_months: int
    status: str
    version: int
    annual_value: Amount
    lines: list[ContractLine]
    terms: ContractTerms | None = None
    notice_deadline: date | None = None
    terminated_on: date | None = None
    termination_reason: str | None = None
    renewed_from: uuid.UUID | None = None
    renewed_to: uuid.UUID | None = None
    external_ref: str | None = None


class AuditEntry(Out):
    """One change of a contract: who, what, when, before and after."""

    id: int
    action: str
    actor: str | None
    at: datetime
    version: int | None
    effective_date: date | None
    detail: dict[str, Any]
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class SchedulePeriod(Out):
    period_start: date
    period_end: date
    amount: Amount
    currency: str
    invoice_id: uuid.UUID | None


class InvoiceLine(Out):
    line_no: int
    description: str
    period_start: date  # the service days this line bills
    period_end: date
    amount: Amount  # net
    contract_id: uuid.UUID | None = None
    contract_no: str | None = None
    serials: str = ""
    quantity: int = 1
    unit_price: Amount | None = None  # per unit and year
    vat_rate: Decimal = Decimal("0")
    vat: Amount = Decimal("0.00")


InvoiceKind = Literal["invoice", "credit_note", "renewal_quote"]


class Invoice(Out):
    """An invoice, credit note or renewal quote (`kind`); `total` = `net` + `vat`."""

    invoice_id: uuid.UUID
    invoice_no: str | None  # None while a draft
    contract_id: uuid.UUID | None  # None when it groups several contracts (see the lines)
    contract_no: str | None
    customer_id: uuid.UUID
    customer_name: str
    currency: str
    issue_date: date
    due_date: date
    period_start: date
    period_end: date
    total: Amount
    status: str
    pdf_ready: bool
    lines: list[InvoiceLine] = []
    kind: str = "invoice"
    net: Amount = Decimal("0.00")
    vat: Amount = Decimal("0.00")
    reverse_charge: bool = False
    ocr: str | None = None  # the payment reference (OCR, Luhn check digit)
    paid: Amount = Decimal("0.00")
    credits_invoice_id: uuid.UUID | None = None
    buyer_address: list[str] = []  # as printed: street, postcode and city, country
    notices: list[dict[str, str]] = []  # announced price changes: date, old, new, description
    buyer_vat_no: str | None = None
    credits_invoice_no: str | None = None  # a credit note: the number of the invoice it credits


class BillingFailure(Out):
    """A contract period the run could not bill, and why (a rerun with the same key retries it)."""

    contract_id: uuid.UUID
    period_start: date
    reason: str
    attempts: int
    failed_at: datetime


class CurrencyTotal(Out):
    """What a run's invoices come to in one currency."""

    currency: str
    invoices: int
    net: Amount
    vat: Amount
    total: Amount


class BillingRun(Out):
    run_id: uuid.UUID
    run_key: str
    as_of: date
    invoices_created: int
    finished: bool
    failed: int = 0
    failures: list[BillingFailure] = []
    invoice_per: str = "customer"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    totals: list[CurrencyTotal] = []


class RevenueMonth(Out):
    month: date
    currency: str
    invoiced: Amount
    invoices: int


class Email(Out):
    email_id: uuid.UUID
    kind: str
    recipient: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime
    customer_id: uuid.UUID | None = None  # None: a notice for staff


class Problem(BaseModel):
    """RFC 9457 problem details (`application/problem+json`); `extra` lists what to fix, field by field."""

    model_config = ConfigDict(extra="allow")

    status: int
    title: str | None = None
    detail: str | None = None
    type: str | None = None
    extra: list[Any] | dict[str, Any] | None = None


class LineChange(Out):
    """One line an amendment changes: `added`, `ended`, `deleted` (had not started) or `repriced`."""

    change: str
    line_id: uuid.UUID
    manufacturer_no: str
    serial_no: str
    sku: str
    start_date: date
    end_date: date  # the line's last day after the change (before it, for a deleted line)
    quantity: int
    unit_price_before: Amount | None
    unit_price_after: Amount | None


class Amendment(Out):
    """A workflow operation on one contract, previewed (nothing written) or applied: the changed lines,
    the annual value before and after, and what the rest of the term bills more or less (prorated by
    day from `impact_from` to `impact_to`)."""

    operation: str
    applied: bool
    contract_id: uuid.UUID
    contract_no: str
    version: int  # the version the amendment makes (applied) or would make (preview)
    effective_date: date
    summary: str
    currency: str
    status_after: str
    end_date_after: date
    changes: list[LineChange]
    annual_value_before: Amount
    annual_value_after: Amount
    impact_from: date
    impact_to: date
    revenue_before: Amount
    revenue_after: Amount
    revenue_impact: Amount


class BillRequest(Out):
    """`contract.bill_requested` was published: billing invoices the contract's periods due by `as_of`."""

    contract_id: uuid.UUID
    contract_no: str
    as_of: date
    requested_by: str


# --- Bulk jobs (issue 8, bulk) ---
class BulkPreviewRow(Out):
    contract_id: uuid.UUID
    contract_no: str
    ok: bool
    summary: str | None
    impact: Amount
    reason: str | None


class BulkPreview(Out):
    """What a bulk job would do to one page of its selection (nothing is written)."""

    kind: str
    params: dict[str, Any]
    total: int  # contracts selected
    impact: Amount  # revenue impact of the page's changes (prorated)
    items: list[BulkPreviewRow]
    limit: int
    offset: int


class BulkJob(Out):
    job_id: uuid.UUID
    kind: str
    params: dict[str, Any]
    selection: dict[str, Any]
    state: str  # queued, running, done
    total: int
    applied: int
    failed: int
    impact: Amount
    undo_of: uuid.UUID | None
    undone_by: uuid.UUID | None
    actor: str
    created_at: datetime
    finished_at: datetime | None


class BulkJobContract(Out):
    """One contract's result in a bulk job."""

    seq: int
    contract_id: uuid.UUID
    contract_no: str
    state: str  # pending, applied, failed
    reason: str | None
    summary: str | None
    impact: Amount | None
    version_after: int | None


class IndexValue(Out):
    name: str
    period: int
    value: Decimal
    entered_by: str | None = None
    entered_at: datetime | None = None


class CalendarRun(Out):
    """What one run of the daily calendar did (a rerun of the same day does nothing)."""

    today: date
    due: int
    moved: dict[str, int]
    reminders: int
    renewed: list[str]
    waiting: list[dict[str, str]]
    failed: list[dict[str, str]]


class ReminderSent(Out):
    basis: str
    lead_days: int
    due_on: date
    sent_on: date


class RenewalLine(Out):
    sku: str
    serial_no: str
    quantity: int
    unit_price_before: Amount
    unit_price_after: Amount


class RenewalOffer(Out):
    """The renewal of a contract: the successor it makes (or made), its term and prices; or why it waits."""

    contract_id: uuid.UUID
    contract_no: str
    status: str
    auto_renew: bool
    price_policy: str
    renewed: bool  # the successor exists (successor_id)
    successor_id: uuid.UUID | None = None
    successor_no: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    annual_value_before: Amount
    annual_value_after: Amount | None = None
    currency: str
    lines: list[RenewalLine] = []
    waiting: str | None = None  # why the renewal cannot be made now (e.g. an index value missing)


class Payment(Out):
    payment_id: str
    amount: Amount
    currency: str
    paid_on: date
    reference: str | None = None
    invoice_no: str | None = None
    payer: str = ""
    source: str
    status: str  # matched or unmatched (waiting for staff)
    invoice_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    applied: Amount  # to the invoice
    credited: Amount  # beyond its balance, kept as the customer's credit
    reason: str | None = None  # why it is unmatched
    resolved_by: str | None = None
    received_at: datetime | None = None


class Receivable(Out):
    """What one customer owes in one currency: open balance, the overdue part, and credit held."""

    customer_id: uuid.UUID
    customer_name: str | None = None
    currency: str
    open_invoices: int
    balance: Amount
    overdue: Amount
    credit: Amount


class RunPreview(Out):
    """What a billing run would bill in one currency (net, before VAT), before it is started."""

    currency: str
    customers: int
    contracts: int
    periods: int
    net: Amount
