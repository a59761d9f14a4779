"""The staff dashboard's data (reporting's `GET /dashboard`, the gateway's `/api/v1/dashboard`).

Every figure is defined in METRICS.md (M1–M15) and docs/reporting-figures.md; one currency per answer."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict

from avtal_common.money import Amount


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class MrrMonth(_Out):
    """M2/M3/M5: MRR at the end of `month` (its first day names it) and the movements that led there;
    `mrr = mrr_start + new + reactivation + expansion - contraction - churn` holds for every month."""

    month: date
    mrr_start: Amount
    mrr: Amount
    arr: Amount
    new: Amount
    reactivation: Amount
    expansion: Amount
    contraction: Amount
    churn: Amount
    customers: int  # with MRR > 0 at the month's end


class Retention(_Out):
    """M7 over the dashboard's months (from the end of the month before the first to the as-of month)."""

    mrr_start: Amount
    gross_mrr_churn_pct: Amount | None
    net_mrr_churn_pct: Amount | None
    customer_churn_pct: Amount | None
    nrr_pct: Amount | None
    grr_pct: Amount | None


class RevenueMonthFigures(_Out):
    """M9/M10 per month: invoiced by issue date (net, credit notes negative), recognized over service
    periods, collected (payments by payment date, VAT included), deferred revenue at the month's end."""

    month: date
    invoiced: Amount
    recognized: Amount
    collected: Amount
    deferred: Amount


class AgingBucket(_Out):
    bucket: str  # current, 1-30, 31-60, 61-90, 90+
    amount: Amount
    invoices: int


class Aging(_Out):
    """M11 at the as-of date, M12 DSO (countback over the months before it)."""

    buckets: list[AgingBucket]
    total: Amount
    unapplied: Amount  # payments and credits not applied to an invoice (negative or zero)
    dso_days: Amount | None


class ForecastBucket(_Out):
    """M15: cash expected in [start, end]; `actual` is what was collected there (past buckets)."""

    start: date
    end: date
    committed: Amount
    expected: Amount
    best: Amount
    actual: Amount


class Forecast(_Out):
    monthly: list[ForecastBucket]  # 12 months from the as-of month
    weekly: list[ForecastBucket]  # 13 weeks from the as-of week's Monday
    doubtful: Amount  # open AR more than 90 days past due, at the as-of date
    renewal_rate: Amount | None  # trailing 12 months (renewed ARR / ARR due), p_renew's fallback


class RenewalRow(_Out):
    contract_id: uuid.UUID
    contract_no: str
    customer_id: uuid.UUID
    customer_name: str
    end_date: date
    notice_deadline: date
    arr: Amount
    auto_renew: bool
    status: str  # open, quoted, accepted, declined, renewed, terminated


class RenewalWindow(_Out):
    days: int  # 30, 60, 90: end date within as_of + days
    contracts: int
    arr: Amount


class Renewals(_Out):
    windows: list[RenewalWindow]
    contracts: list[RenewalRow]  # ending within 90 days, soonest first


class ChurnMonth(_Out):
    month: date
    churn: Amount  # MRR of customers who went to zero (M5 churn)
    contraction: Amount
    contracts_ended: int  # contracts whose last service day fell in the month


class TopCustomer(_Out):
    customer_id: uuid.UUID
    name: str
    arr: Amount
    invoiced_12m: Amount
    open_ar: Amount


class Dashboard(_Out):
    currency: str
    currencies: list[str]  # every currency the read models hold, for the selector
    as_of: date
    version: int  # read-model version: grows with every applied event
    mrr: list[MrrMonth]
    retention: Retention
    revenue: list[RevenueMonthFigures]
    aging: Aging
    forecast: Forecast
    renewals: Renewals
    churn: list[ChurnMonth]
    top_customers: list[TopCustomer]


class DashboardVersion(_Out):
    """What an open dashboard polls (through the gateway's event stream): a new version means new data."""

    version: int
    lag: int  # events on reporting's topics not yet applied (-1: unknown)
    rebuilding: bool
