"""What reporting keeps of a contract: its terms for renewals and the cash forecast, its lines' MRR."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from avtal_common.payloads.contracts import ContractState
from avtal_reporting.domain.figures import ZERO, PricedLine, line_mrr, period_gross, periods, r2

COUNTED = ("active", "terminated", "expired", "renewed")  # a draft is in force for nobody


@dataclass(frozen=True)
class MrrLine:
    contract_id: uuid.UUID
    line_id: uuid.UUID
    customer_id: uuid.UUID
    currency: str
    product_id: uuid.UUID
    start_date: date
    end_date: date
    mrr: Decimal


@dataclass(frozen=True)
class ContractFact:
    contract_id: uuid.UUID
    version: int
    contract_no: str
    customer_id: uuid.UUID
    customer_name: str
    currency: str
    status: str
    start_date: date
    end_date: date
    interval_months: int
    timing: str
    auto_renew: bool
    notice_days: int
    terms_days: int
    renewal_months: int
    annual_value: Decimal  # net, of the lines in force on the last day
    renewal_gross: Decimal  # a year of the next term, VAT and the agreed uplift included
    terminated_on: date | None
    renewed_to: uuid.UUID | None
    lines: tuple[PricedLine, ...]
    mrr_lines: tuple[MrrLine, ...]


def contract_fact(c: ContractState, version: int) -> ContractFact:
    vat_default = ZERO if c.customer.reverse_charge else c.customer.vat_rate
    priced, mrr = [], []
    for ln in c.lines:
        start = max(ln.start_date or c.start_date, c.start_date)
        end = min(ln.end_date or c.end_date, c.end_date)
        if end < start:
            continue
        vat = ZERO if c.customer.reverse_charge else (ln.vat_rate if ln.vat_rate is not None else vat_default)
        priced.append(PricedLine(start, end, ln.annual_price, vat))
        if c.status in COUNTED:
            mrr.append(MrrLine(c.contract_id, ln.line_id, c.customer.customer_id, c.currency, ln.product_id,
                               start, end, line_mrr(ln.annual_price)))  # fmt: skip
    last = [p for p in priced if p.start <= c.end_date <= p.end]
    annual = sum((p.annual_price for p in last), ZERO)
    uplift = 1 + (c.terms.uplift_pct or ZERO) / 100 if c.terms.price_policy != "fixed" else Decimal(1)
    gross = sum((r2(p.annual_price * uplift) * (1 + p.vat_rate / 100) for p in last), ZERO)
    return ContractFact(
        contract_id=c.contract_id,
        version=version,
        contract_no=c.contract_no,
        customer_id=c.customer.customer_id,
        customer_name=c.customer.name,
        currency=c.currency,
        status=c.status,
        start_date=c.start_date,
        end_date=c.end_date,
        interval_months=c.billing_interval_months,
        timing=c.terms.billing_timing,
        auto_renew=c.terms.auto_renew,
        notice_days=c.terms.notice_days,
        terms_days=c.customer.payment_terms_days,
        renewal_months=c.terms.renewal_term_months,
        annual_value=annual,
        renewal_gross=r2(gross),
        terminated_on=c.terminated_on,
        renewed_to=c.renewed_to,
        lines=tuple(priced),
        mrr_lines=tuple(mrr),
    )


@dataclass(frozen=True)
class ScheduledInvoice:
    period_start: date
    period_end: date
    due_on: date
    gross: Decimal


def due_on(timing: str, period_start: date, period_end: date, terms_days: int) -> date:
    """When an invoice of the period falls due. In advance billing invoices the payment terms before the
    period starts (its default lead), so it is due on the first day; in arrears the day after it ends."""
    if timing == "arrears":
        return period_end + timedelta(days=1 + terms_days)
    return period_start


def schedule(c: ContractFact) -> list[ScheduledInvoice]:
    """Every invoice of the contract's current term, whether invoiced yet or not (M15 'scheduled')."""
    if c.status not in ("active", "terminated"):
        return []
    out = []
    for p in periods(c.start_date, c.end_date, c.interval_months):
        gross = period_gross(c.lines, p, c.interval_months)
        if gross:
            out.append(
                ScheduledInvoice(p.start, p.end, due_on(c.timing, p.start, p.end, c.terms_days), gross)
            )
    return out
