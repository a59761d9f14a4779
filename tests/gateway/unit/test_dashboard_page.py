"""The dashboard page as the server renders it: every widget's table, figures, links and CSV link are
there without JavaScript, and nothing inline that the CSP would block."""

from __future__ import annotations

import re
from decimal import Decimal
from importlib.resources import files

from gateway.unit.dashboard_sample import CONTRACT, CUSTOMER, sample_dashboard
from jinja2 import Environment, FileSystemLoader, select_autoescape

from avtal_gateway.api.dashboard import page_context
from avtal_gateway.domain.dashboard import DashboardFilters, shown
from avtal_gateway.domain.users import User

STAFF = User(CUSTOMER, "staff@avtal.example", "staff")


def render(customer_name: str = "Acme AB", **filters: object) -> str:
    env = Environment(
        loader=FileSystemLoader(str(files("avtal_gateway") / "templates")), autoescape=select_autoescape()
    )
    chosen = DashboardFilters.model_validate(filters)
    context = page_context(STAFF, sample_dashboard(customer_name), None, chosen, [], [])
    return env.get_template("dashboard.html").render(csrf_input="", **context)


def test_each_widget_has_a_table_with_the_figures_and_a_chart_beside_it() -> None:
    html = render()
    for table in ("mrr", "retention", "revenue", "billed", "forecast-monthly", "forecast-weekly", "aging",
                  "renewal-windows", "renewals", "churn", "top"):  # fmt: skip
        assert f'id="table-{table}"' in html
    assert html.count("<canvas") == 10 and html.count("<caption>") == 11
    assert 'id="aging-total" data-field="aging.total">250.00<' in html
    assert "<td>2026-11</td>" in html and "90.00 %" in html


def test_contracts_and_customers_link_to_their_pages() -> None:
    html = render()
    assert f'<a href="/contracts/{CONTRACT}">C-000001</a>' in html
    assert f'<a href="/customers/{CUSTOMER}">Acme AB</a>' in html


def test_csv_links_and_the_api_carry_the_page_filters() -> None:
    html = render(currency="SEK", months=6, vendor="Dell & co")
    assert 'href="/dashboard/export/aging.csv?currency=SEK&amp;months=6&amp;vendor=Dell+%26+co"' in html
    assert 'data-api="/api/v1/dashboard?currency=SEK&amp;months=6&amp;vendor=Dell+%26+co"' in html
    assert len(re.findall(r'href="/dashboard/export/\w+\.csv', html)) == 7


def test_a_hostile_customer_name_is_escaped() -> None:
    html = render(customer_name="<script>alert(1)</script>")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_amounts_and_rates_show_at_least_two_decimals_as_dashboard_js_does() -> None:
    assert [shown(Decimal(v), "money") for v in ("0", "31.5", "-120.00", "1.234", "1E+2")] == [
        "0.00", "31.50", "-120.00", "1.234", "100.00"
    ]  # fmt: skip
    assert (shown(Decimal("7"), "pct"), shown(None, "money"), shown(3, "int")) == ("7.00 %", "–", "3")


def test_no_inline_script_or_style() -> None:
    html = render()
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert " style=" not in html and "<style" not in html and " on" + "click=" not in html
