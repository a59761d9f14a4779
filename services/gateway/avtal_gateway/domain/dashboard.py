"""The staff dashboard's filters and its tables: which figures each widget shows, in which columns.

The columns are named once here: the page's tables (server-rendered, then redrawn by dashboard.js from
the same JSON fields), and the CSV exports all read them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, Field

from avtal_common.api.text import OneLine

WIDGETS = ("mrr", "revenue", "aging", "forecast", "renewals", "churn", "top_customers")


class DashboardFilters(BaseModel):
    """What every dashboard route takes (the query string of the page, the API and the CSV exports)."""

    model_config = ConfigDict(frozen=True)

    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    # Reporting's own bounds: a typo (year 0001, 9999) is a 400 here already.
    as_of: date | None = Field(default=None, ge=date(2000, 1, 1), le=date(2100, 12, 31))
    months: int = Field(default=12, ge=1, le=36)
    customer_id: uuid.UUID | None = None
    product_id: uuid.UUID | None = None
    vendor: OneLine | None = Field(default=None, max_length=200)

    def params(self) -> dict[str, Any]:
        """For reporting's `GET /dashboard` (and links back to the page): only what was given."""
        given = self.model_dump(mode="json", exclude_none=True)
        if given.get("vendor") == "":
            del given["vendor"]
        return given

    def query(self) -> str:
        return urlencode(self.params())


@dataclass(frozen=True)
class Column:
    key: str  # the field of one row in the dashboard's JSON
    label: str
    kind: str = "money"  # money, pct, int, text, date, month, bool
    link: str | None = None  # e.g. "/contracts/{contract_id}": filled from the row's fields


@dataclass(frozen=True)
class Table:
    source: str  # the dotted path of the rows in the dashboard's JSON, e.g. "aging.buckets"
    caption: str
    columns: tuple[Column, ...]


C = Column
MONTH = C("month", "Month", "month")
TABLES = {
    "mrr": Table("mrr", "MRR and its movements by month", (
        MONTH, C("mrr_start", "MRR at start"), C("new", "New"), C("reactivation", "Reactivation"),
        C("expansion", "Expansion"), C("contraction", "Contraction"), C("churn", "Churn"),
        C("mrr", "MRR at end"), C("arr", "ARR"), C("customers", "Customers", "int"),
    )),
    "revenue": Table("revenue", "Recognized, invoiced and collected revenue, deferred revenue by month", (
        MONTH, C("recognized", "Recognized"), C("invoiced", "Invoiced"), C("collected", "Collected"),
        C("deferred", "Deferred at month end"),
    )),
    "billed": Table("revenue", "Billed and collected by month", (
        MONTH, C("invoiced", "Billed (net)"), C("collected", "Collected (incl. VAT)"),
    )),
    "forecast_monthly": Table("forecast.monthly", "Cash-flow forecast, 12 months", (
        C("start", "From", "date"), C("end", "To", "date"), C("actual", "Collected"),
        C("committed", "Committed"), C("expected", "Expected"), C("best", "Best case"),
    )),
    "forecast_weekly": Table("forecast.weekly", "Cash-flow forecast, 13 weeks", (
        C("start", "Week from", "date"), C("end", "To", "date"), C("actual", "Collected"),
        C("committed", "Committed"), C("expected", "Expected"), C("best", "Best case"),
    )),
    "aging": Table("aging.buckets", "Receivables by days past due", (
        C("bucket", "Days past due", "text"), C("invoices", "Invoices", "int"), C("amount", "Open amount"),
    )),
    "renewal_windows": Table("renewals.windows", "Contracts ending within 30, 60 and 90 days", (
        C("days", "Ending within (days)", "int"), C("contracts", "Contracts", "int"), C("arr", "ARR"),
    )),
    "renewals": Table("renewals.contracts", "Contracts ending within 90 days, soonest first", (
        C("contract_no", "Contract", "text", "/contracts/{contract_id}"),
        C("customer_name", "Customer", "text", "/customers/{customer_id}"),
        C("end_date", "Ends", "date"), C("notice_deadline", "Notice deadline", "date"), C("arr", "ARR"),
        C("auto_renew", "Auto-renews", "bool"), C("status", "Status", "text"),
    )),
    "churn": Table("churn", "Churn and contraction by month", (
        MONTH, C("churn", "Churned MRR"), C("contraction", "Contraction MRR"),
        C("contracts_ended", "Contracts ended", "int"),
    )),
    "top_customers": Table("top_customers", "Top customers by ARR", (
        C("name", "Customer", "text", "/customers/{customer_id}"), C("arr", "ARR"),
        C("invoiced_12m", "Invoiced, 12 months"), C("open_ar", "Open receivables"),
    )),
}  # fmt: skip

# M7, one figure per row (the retention widget has no series).
RETENTION = (
    ("mrr_start", "MRR at start of period", "money"),
    ("gross_mrr_churn_pct", "Gross MRR churn", "pct"),
    ("net_mrr_churn_pct", "Net MRR churn", "pct"),
    ("customer_churn_pct", "Customer churn", "pct"),
    ("nrr_pct", "Net revenue retention (NRR)", "pct"),
    ("grr_pct", "Gross revenue retention (GRR)", "pct"),
)


def shown(value: Any, kind: str) -> str:
    """A value as the page shows it (dashboard.js shows the JSON the same way)."""
    if value is None:
        return "–"
    if kind == "month":
        return str(value)[:7]
    if kind in ("money", "pct"):
        value = _cents(value)
    if kind == "pct":
        return f"{value} %"
    if kind == "bool":
        return "yes" if value else "no"
    return str(value)


def _cents(value: Any) -> Any:
    """At least two decimals ("0" → "0.00"), never fewer digits than given: a column reads evenly."""
    exponent = value.as_tuple().exponent if isinstance(value, Decimal) else None
    return value.quantize(Decimal("0.01")) if isinstance(exponent, int) and exponent > -2 else value


def href(link: str, row: Any) -> str:
    """A column's link filled from its row: "/contracts/{contract_id}" → "/contracts/0b1…"."""
    return re.sub(r"{(\w+)}", lambda m: quote(str(getattr(row, m.group(1))), safe=""), link)
