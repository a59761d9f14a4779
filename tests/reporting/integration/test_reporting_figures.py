"""Every dashboard figure against a small book computed by hand (docs/reporting-figures.md shows the
workings), fed to the real stack as events in a shuffled order and each of them twice."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from reporting.integration.book import Book, a_currency

from avtal_testing.api import eventually, ok
from avtal_testing.kafka import read_all
from avtal_testing.stack import StackInfo

D = Decimal


def _dashboard(
    stack: StackInfo, currency: str, as_of: str, months: int = 6, **filters: str
) -> dict[str, Any]:
    with stack.internal("reporting") as reporting:
        return ok(
            reporting.get(
                "/dashboard/", params={"currency": currency, "as_of": as_of, "months": months, **filters}
            )
        )


def _money(rows: list[dict[str, Any]], *fields: str) -> list[tuple[Any, ...]]:
    return [tuple(D(r[f]) if f not in ("month", "bucket", "start") else r[f] for f in fields) for r in rows]


@pytest.fixture(scope="module")
def book(stack: StackInfo) -> Book:
    b = Book(a_currency())
    asyncio.run(b.publish(stack.kafka_bootstrap_servers))

    def settled() -> dict[str, Any] | None:
        d = _dashboard(stack, b.currency, "2026-06-15")
        done = d["mrr"] and D(d["mrr"][-1]["mrr"]) == D("2000.00") and D(d["aging"]["total"]) == D("6250.00")
        return d if done and D(d["revenue"][1]["collected"]) == D("3800.00") else None

    eventually(settled, 60, "the book's figures in reporting")
    return b


def test_mrr_arr_and_the_movements_bridge_of_every_month(stack: StackInfo, book: Book) -> None:
    d = _dashboard(stack, book.currency, "2026-06-15")
    got = _money(
        d["mrr"], "month", "mrr_start", "mrr", "new", "reactivation", "expansion", "contraction", "churn"
    )
    assert got == [
        ("2026-01-01", D(1100), D(1400), D(300), D(0), D(0), D(0), D(0)),
        ("2026-02-01", D(1400), D(1900), D(500), D(0), D(0), D(0), D(0)),
        ("2026-03-01", D(1900), D(1700), D(0), D(0), D(0), D(200), D(0)),
        ("2026-04-01", D(1700), D(1600), D(0), D(0), D(200), D(0), D(300)),
        ("2026-05-01", D(1600), D(2000), D(0), D(400), D(0), D(0), D(0)),
        ("2026-06-01", D(2000), D(2000), D(0), D(0), D(0), D(0), D(0)),
    ]
    assert [m["customers"] for m in d["mrr"]] == [3, 4, 4, 3, 4, 4]
    assert [D(m["arr"]) for m in d["mrr"]][-1] == D(24000)
    for m in d["mrr"]:  # M5's invariant
        moved = D(m["new"]) + D(m["reactivation"]) + D(m["expansion"]) - D(m["contraction"]) - D(m["churn"])
        assert D(m["mrr"]) == D(m["mrr_start"]) + moved, m["month"]
    assert [(m["month"], D(m["churn"]), D(m["contraction"]), m["contracts_ended"]) for m in d["churn"]][
        2:4
    ] == [
        ("2026-03-01", D(0), D(200), 1),
        ("2026-04-01", D(300), D(0), 0),
    ]


def test_retention_rates_over_the_window(stack: StackInfo, book: Book) -> None:
    r = _dashboard(stack, book.currency, "2026-06-15")["retention"]
    assert {k: D(v) for k, v in r.items()} == {
        "mrr_start": D(1100),
        "gross_mrr_churn_pct": D("18.18"),
        "net_mrr_churn_pct": D("18.18"),
        "customer_churn_pct": D(0),
        "nrr_pct": D("81.82"),
        "grr_pct": D("81.82"),
    }


def test_invoiced_recognized_collected_and_deferred_by_month(stack: StackInfo, book: Book) -> None:
    d = _dashboard(stack, book.currency, "2026-06-15")
    assert _money(d["revenue"], "month", "invoiced", "recognized", "collected", "deferred") == [
        ("2026-01-01", D("3000.00"), D("1033.33"), D(0), D("1966.67")),
        ("2026-02-01", D("1500.00"), D("1405.25"), D("3800.00"), D("2061.42")),
        ("2026-03-01", D("-500.00"), D("1555.80"), D(0), D("5.62")),
        ("2026-04-01", D(0), D("5.62"), D("1000.00"), D(0)),
        ("2026-05-01", D("4800.00"), D("289.32"), D(0), D("4510.68")),
        ("2026-06-01", D(0), D("394.52"), D(0), D("4116.16")),
    ]


def test_receivables_aging_unapplied_and_dso(stack: StackInfo, book: Book) -> None:
    a = _dashboard(stack, book.currency, "2026-06-15")["aging"]
    assert [(b["bucket"], D(b["amount"]), b["invoices"]) for b in a["buckets"]] == [
        ("current", D(0), 0),
        ("1-30", D(6000), 1),
        ("31-60", D(0), 0),
        ("61-90", D(0), 0),
        ("90+", D(250), 1),
    ]
    assert (D(a["total"]), D(a["unapplied"]), D(a["dso_days"])) == (D(6250), D(-50), D("125.73"))
    # As of an earlier day, payments and credits dated after it do not count: INV1 is open and current.
    before = _dashboard(stack, book.currency, "2026-01-20")["aging"]
    assert [(b["bucket"], D(b["amount"])) for b in before["buckets"] if D(b["amount"])] == [
        ("current", D(3750))
    ]


def test_the_cash_flow_forecast_in_three_scenarios(stack: StackInfo, book: Book) -> None:
    f = _dashboard(stack, book.currency, "2026-06-15")["forecast"]
    assert (D(f["doubtful"]), D(f["renewal_rate"])) == (D(250), D("25.00"))
    got = [(b["start"], D(b["committed"]), D(b["expected"]), D(b["best"])) for b in f["monthly"]]
    assert got == [
        # A1's April and May were never invoiced: still expected, on the as-of day (+2 × 1,000).
        ("2026-06-01", D(13125), D(13250), D(13250)),
        ("2026-07-01", D(1000), D(1000), D(1000)),
        ("2026-08-01", D(3625), D(3625), D(3625)),
        ("2026-09-01", D(1000), D(1000), D(1000)),
        ("2026-10-01", D(1000), D(1000), D(1000)),
        ("2026-11-01", D(3625), D(3625), D(3625)),
        ("2026-12-01", D(0), D(250), D(1000)),
        ("2027-01-01", D(0), D(250), D(1000)),
        ("2027-02-01", D(0), D("906.25"), D(3625)),
        ("2027-03-01", D(0), D(250), D(1000)),
        ("2027-04-01", D(0), D(625), D(2500)),
        ("2027-05-01", D(0), D("2406.25"), D(9625)),
    ]
    assert len(f["weekly"]) == 13 and f["weekly"][0]["start"] == "2026-06-15"
    assert sum(D(b["committed"]) for b in f["weekly"]) == D(
        13125 + 1000 + 3625 + 1000
    )  # to Sep 13: A1 Jul-Sep, B1 Aug


def test_renewals_pipeline_and_top_customers(stack: StackInfo, book: Book) -> None:
    d = _dashboard(stack, book.currency, "2026-10-15")
    assert [(w["days"], w["contracts"], D(w["arr"])) for w in d["renewals"]["windows"]] == [
        (30, 0, D(0)),
        (60, 1, D(9600)),
        (90, 1, D(9600)),
    ]
    [row] = d["renewals"]["contracts"]
    assert (row["contract_no"], row["end_date"], row["status"]) == ("BOOK-A1", "2026-11-30", "open")
    top = _dashboard(stack, book.currency, "2026-06-15")["top_customers"]
    assert [(t["name"], D(t["arr"]), D(t["invoiced_12m"]), D(t["open_ar"])) for t in top] == [
        ("Book A AB", D(9600), D(3000), D(0)),
        ("Book B AB", D(8400), D(1000), D(250)),
        ("Book C AB", D(4800), D(4800), D(6000)),
        ("Book D AB", D(1200), D(0), D(0)),
    ]


def test_filters_by_customer_and_product(stack: StackInfo, book: Book) -> None:
    only_b = _dashboard(stack, book.currency, "2026-06-15", customer_id=str(book.customers["B"]))
    assert [D(m["mrr"]) for m in only_b["mrr"]] == [D(0), D(500), D(500), D(700), D(700), D(700)]
    assert [D(m["invoiced"]) for m in only_b["revenue"]] == [D(0), D(1500), D(-500), D(0), D(0), D(0)]
    assert D(only_b["aging"]["total"]) == D(250)
    other_product = _dashboard(
        stack, book.currency, "2026-06-15", product_id="00000000-0000-0000-0000-000000000001"
    )
    assert all(D(m["mrr"]) == 0 for m in other_product["mrr"])


def test_a_rebuild_from_the_topics_gives_identical_figures(stack: StackInfo, book: Book) -> None:
    before = {a: _dashboard(stack, book.currency, a) for a in ("2026-06-15", "2026-10-15")}
    # --force: in the whole suite an earlier test restarts the stack's in-memory Tansu, so events other
    # tests published straight to Kafka are gone and the rebuild would (rightly) refuse; the book's are
    # all there, and its figures are what this test compares.
    done = subprocess.run(
        [sys.executable, "-m", "avtal_stack.cli", "reporting", "rebuild", "--force"],
        check=False,
        env=stack.env | {"AVTAL_REPORTING_URL": stack.services["reporting"]},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "rebuilt from" in done.stdout
    for as_of, figures in before.items():
        after = _dashboard(stack, book.currency, as_of)
        assert after["version"] > figures["version"]
        assert {k: v for k, v in after.items() if k != "version"} == {
            k: v for k, v in figures.items() if k != "version"
        }


def test_an_event_published_during_a_rebuild_counts_once(stack: StackInfo, book: Book) -> None:
    """Live consumers wait while the read models are rebuilt; the event lands once, by the rebuild or by
    the live consumer after it, whichever reads it first (the inbox keeps the other away)."""
    extra = Book(book.currency)
    extra.customers, extra.invoices, extra.events = book.customers, book.invoices, []
    extra._payment("P3", "INV3", "C", "10.00", "0.00", date(2026, 6, 1))
    with stack.internal("reporting") as reporting:
        assert ok(reporting.post("/admin/rebuild/", params={"force": "true"}))["running"]
        asyncio.run(extra.publish(stack.kafka_bootstrap_servers, shuffle=False, twice=True))
        eventually(lambda: not ok(reporting.get("/admin/rebuild/"))["running"], 300, "the rebuild to end")

    def landed() -> dict[str, Any] | None:
        d = _dashboard(stack, book.currency, "2026-06-15")
        return d if D(d["revenue"][-1]["collected"]) == D(10) else None

    eventually(landed, 60, "the payment made during the rebuild")
    time.sleep(2)  # a second application would show by now
    d = _dashboard(stack, book.currency, "2026-06-15")
    assert D(d["revenue"][-1]["collected"]) == D(10)
    assert [D(b["amount"]) for b in d["aging"]["buckets"]] == [D(0), D(5990), D(0), D(0), D(250)]


def test_a_rebuild_that_would_lose_history_is_refused_unless_forced(stack: StackInfo) -> None:
    """Read models holding more contracts than contract.state gives back: the broker lost history (as the
    embedded Tansu does on a restart). The rebuild says so, exits 2 and changes nothing."""
    held = len(asyncio.run(read_all(stack.kafka_bootstrap_servers, "contract.state")))

    async def pad(n: int) -> int:
        conn = await asyncpg.connect(stack.database_url("reporting"))
        try:
            if n > 0:
                await conn.execute(
                    """INSERT INTO contracts (contract_id, version, contract_no, customer_id, currency,
                           status, start_date, end_date, interval_months, timing, auto_renew, notice_days,
                           terms_days, annual_value, renewal_months, renewal_gross)
                       SELECT gen_random_uuid(), 1, 'PAD-' || i, gen_random_uuid(), 'ZZP', 'active',
                              '2026-01-01', '2026-12-31', 12, 'advance', false, 0, 30, 0, 12, 0
                       FROM generate_series(1, $1) i""",
                    n,
                )
            elif n == 0:
                await conn.execute("DELETE FROM contracts WHERE currency = 'ZZP'")
            count: int = await conn.fetchval("SELECT count(*) FROM contracts WHERE currency = 'ZZP'")
            return count
        finally:
            await conn.close()

    asyncio.run(pad(held + 1))
    try:
        done = subprocess.run([sys.executable, "-m", "avtal_stack.cli", "reporting", "rebuild"], check=False,
                              env=stack.env | {"AVTAL_REPORTING_URL": stack.services["reporting"]},
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        assert done.returncode == 2, done.stdout + done.stderr
        assert "refused" in done.stdout and "contracts:" in done.stdout and "--force" in done.stdout
        assert asyncio.run(pad(-1)) == held + 1  # nothing was emptied
    finally:
        asyncio.run(pad(0))
