"""One dashboard widget as CSV rows: the columns of its tables (by their JSON field names), each row
with the currency and the as-of date, typed values so numbers stay numbers (see csv_cells)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from avtal_common.api.dashboard import Dashboard
from avtal_gateway.domain.csv_cells import Cell, csv_text
from avtal_gateway.domain.dashboard import TABLES, Table

# widget → its tables (more than one: a `series` column says which table a row comes from)
EXPORTS: dict[str, tuple[str, ...]] = {
    "mrr": ("mrr",),
    "revenue": ("revenue",),
    "aging": ("aging",),
    "forecast": ("forecast_monthly", "forecast_weekly"),
    "renewals": ("renewals",),
    "churn": ("churn",),
    "top_customers": ("top_customers",),
}
SERIES = {"forecast_monthly": "month", "forecast_weekly": "week"}


def rows_of(d: Dashboard, source: str) -> list[Any]:
    """The rows at a dotted path of the dashboard ("aging.buckets")."""
    found: Any = d
    for part in source.split("."):
        found = getattr(found, part)
    return list(found)


def _keys(table: Table) -> list[str]:
    """Each column's field, and the ids its link is made of (a drill-down a spreadsheet can use too)."""
    keys = []
    for c in table.columns:
        keys.append(c.key)
        keys += [k for k in re.findall(r"{(\w+)}", c.link or "") if k not in keys]
    return keys


def widget_csv(d: Dashboard, widget: str) -> str:
    names = EXPORTS[widget]
    keys = _keys(TABLES[names[0]])
    series = len(names) > 1
    header = ["currency", "as_of", *(["series"] if series else []), *keys]
    rows: list[list[Cell]] = []
    for name in names:
        lead: list[Cell] = [d.currency, d.as_of, *([SERIES[name]] if series else [])]
        rows += [[*lead, *(getattr(item, k) for k in keys)] for item in rows_of(d, TABLES[name].source)]
    return csv_text(header, rows + list(_extra(d, widget)))


def _extra(d: Dashboard, widget: str) -> Iterable[list[Cell]]:
    """Aging: unapplied payments and credits, and the total, under the buckets (as on the page)."""
    if widget == "aging":
        yield [d.currency, d.as_of, "unapplied", None, d.aging.unapplied]
        yield [d.currency, d.as_of, "total", sum(b.invoices for b in d.aging.buckets), d.aging.total]
