"""Each dashboard widget as CSV: its table's fields, currency and as-of date on every row, ids for
drill-down, numbers as numbers, and a hostile customer name as text."""

from __future__ import annotations

import csv
import io

import pytest
from gateway.unit.dashboard_sample import CONTRACT, CUSTOMER, sample_dashboard

from avtal_gateway.domain.csv_cells import BOM
from avtal_gateway.domain.dashboard import WIDGETS
from avtal_gateway.domain.dashboard_csv import EXPORTS, widget_csv


def rows(widget: str, customer_name: str = "Acme AB") -> list[list[str]]:
    text = widget_csv(sample_dashboard(customer_name), widget)
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM))))


def test_every_widget_has_an_export() -> None:
    assert set(EXPORTS) == set(WIDGETS)


@pytest.mark.parametrize("widget", WIDGETS)
def test_every_row_carries_the_currency_and_the_as_of_date(widget: str) -> None:
    header, *body = rows(widget)
    assert header[:2] == ["currency", "as_of"]
    assert body and all(r[:2] == ["SEK", "2026-11-28"] and len(r) == len(header) for r in body)


def test_mrr_rows_are_the_months_with_their_movements() -> None:
    header, row = rows("mrr")
    assert dict(zip(header, row, strict=True)) == {
        "currency": "SEK", "as_of": "2026-11-28", "month": "2026-11-01", "mrr_start": "100.00",
        "new": "0.00", "reactivation": "0.00", "expansion": "0.00", "contraction": "10.00",
        "churn": "0.00", "mrr": "90.00", "arr": "1080.00", "customers": "1",
    }  # fmt: skip


def test_a_negative_amount_stays_a_number() -> None:
    header, row = rows("revenue")
    assert row[header.index("invoiced")] == "-120.00"


def test_aging_lists_the_buckets_then_unapplied_and_the_total() -> None:
    header, *body = rows("aging")
    assert header == ["currency", "as_of", "bucket", "invoices", "amount"]
    assert [r[2:] for r in body[-2:]] == [["unapplied", "", "-40.00"], ["total", "5", "250.00"]]
    assert [r[2] for r in body[:5]] == ["current", "1-30", "31-60", "61-90", "90+"]


def test_the_forecast_has_monthly_and_weekly_rows_told_apart() -> None:
    header, *body = rows("forecast")
    assert header[2] == "series"
    assert [r[2] for r in body] == ["month", "month", "week"]


def test_renewals_carry_the_ids_of_their_contract_and_customer() -> None:
    header, row = rows("renewals")
    got = dict(zip(header, row, strict=True))
    assert got["contract_id"] == str(CONTRACT) and got["customer_id"] == str(CUSTOMER)
    assert got["auto_renew"] == "true" and got["notice_deadline"] == "2026-11-30"


@pytest.mark.parametrize("widget", ["renewals", "top_customers"])
def test_a_customer_name_that_is_a_formula_is_exported_as_text(widget: str) -> None:
    header, row = rows(widget, customer_name='=HYPERLINK("http://x","y")')
    names = [v for k, v in zip(header, row, strict=True) if k in ("customer_name", "name")]
    assert names == ['\'=HYPERLINK("http://x","y")']
