"""Response bodies of the public API (/api/v1): the fields the services' internal APIs answer with."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

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
    retired_at: datetime | None = None


class Customer(Out):
    customer_id: uuid.UUID
    name: str
    email: str
    locale: str
    external_ref: str | None


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
    period_start: date
    period_end: date
    amount: Amount


class Invoice(Out):
    invoice_id: uuid.UUID
    invoice_no: str
    contract_id: uuid.UUID
    contract_no: str
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


class BillingFailure(Out):
    """A contract period the run could not bill, and why (a rerun with the same key retries it)."""

    contract_id: uuid.UUID
    period_start: date
    reason: str
    attempts: int
    failed_at: datetime


class BillingRun(Out):
    run_id: uuid.UUID
    run_key: str
    as_of: date
    invoices_created: int
    finished: bool
    failed: int = 0
    failures: list[BillingFailure] = []


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


class Problem(BaseModel):
    """RFC 9457 problem details (`application/problem+json`); `extra` lists what to fix, field by field."""

    model_config = ConfigDict(extra="allow")

    status: int
    title: str | None = None
    detail: str | None = None
    type: str | None = None
    extra: list[Any] | dict[str, Any] | None = None


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
