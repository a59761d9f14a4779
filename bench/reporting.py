# ruff: noqa: E501 - the load statements are SQL text, kept one clause per line
"""Reporting figures: the dashboard's data with 1,000,000 invoices behind it (p95 of repeated calls of
the dashboard use case on the read models), and a rebuild from the topics beside a raw consume of the
same topics (events/s)."""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from avtal_common import topics
from avtal_common.dlq import topic_partitions
from avtal_common.kafka import ensure_topics
from avtal_common.settings import CommonSettings
from avtal_reporting.consumers import HANDLERS
from avtal_reporting.domain.figures import MOVES, contributions
from avtal_reporting.handlers.dashboard import dashboard
from avtal_reporting.rebuild import RebuildProgress, rebuild
from avtal_reporting.store.dashboard import Filters
from avtal_reporting.store.uow import ReportingUnitOfWork
from bench.contracts_calendar import _migrated, _url
from bench.report import Figure

INVOICES = int(os.environ.get("AVTAL_BENCH_REPORTING_INVOICES", "1000000"))
CONTRACTS = int(os.environ.get("AVTAL_BENCH_REPORTING_CONTRACTS", "30000"))
CUSTOMERS = CONTRACTS * 2 // 3
CALLS = int(os.environ.get("AVTAL_BENCH_DASHBOARD_CALLS", "30"))
REPLAY_EVENTS = int(os.environ.get("AVTAL_BENCH_REPLAY_EVENTS", "20000"))
DASHBOARD_TARGET_MS = 200.0
REPLAY_MIN_RATIO = 0.25
TODAY = date.today()

# Three years of monthly invoices (1.25 × net with VAT), 2% still open; customers pay ~5 days late.
_LOAD = [
    """INSERT INTO customers (customer_id, version, name, late_days_x_amount, late_amount, late_days)
       SELECT md5('c' || i)::uuid, 1, 'Bench customer ' || i, 5 * 15000, 15000, 5 FROM generate_series(0, $1 - 1) i""",
    """INSERT INTO contracts (contract_id, version, contract_no, customer_id, currency, status, start_date, end_date,
           interval_months, timing, auto_renew, notice_days, terms_days, annual_value, renewal_months,
           renewal_gross, terminated_on, renewed_to)
       SELECT md5('k' || i)::uuid, 1, 'C-' || i, md5('c' || (i % $2))::uuid, 'SEK', 'active',
              $3::date - 365 * 2 + (i % 365), $3::date + (i % 1095), 1, 'advance', i % 3 = 0, 30, 30,
              12000.00, 12, 15000.00, NULL, NULL
       FROM generate_series(0, $1 - 1) i""",
    """INSERT INTO mrr_lines (contract_id, line_id, customer_id, currency, product_id, start_date, end_date, mrr)
       SELECT c.contract_id, md5(c.contract_no || n)::uuid, c.customer_id, 'SEK', md5('p' || n)::uuid,
              c.start_date, c.end_date, 333.33
       FROM contracts c, generate_series(1, 3) n""",
    """INSERT INTO scheduled (contract_id, period_start, period_end, customer_id, currency, due_on, gross)
       SELECT c.contract_id, (date_trunc('month', $1::date) + make_interval(months => n))::date,
              (date_trunc('month', $1::date) + make_interval(months => n + 1) - interval '1 day')::date,
              c.customer_id, 'SEK', (date_trunc('month', $1::date) + make_interval(months => n))::date, 1250.00
       FROM contracts c, generate_series(0, 11) n""",
    """INSERT INTO invoiced_through (contract_id, through)
       SELECT contract_id, (date_trunc('month', $1::date) - interval '1 day')::date FROM contracts""",
    """INSERT INTO invoice_facts (invoice_id, invoice_no, customer_id, contract_id, issue_date, currency, total,
           kind, due_date, gross, credits_invoice_id, settled_on)
       SELECT md5('i' || i)::uuid, 'INV-' || i, md5('c' || (i % $2))::uuid, NULL, $3::date - (i % 1095), 'SEK',
              1000.00, 'invoice', $3::date - (i % 1095) + 30, 1250.00, NULL,
              CASE WHEN i % 50 = 0 THEN NULL ELSE least($3::date - (i % 1095) + 35, $3::date - 1) END
       FROM generate_series(1, $1) i""",
    """INSERT INTO ar_entries (entry_id, invoice_id, customer_id, currency, on_date, amount, kind)
       SELECT 'pay:' || invoice_id, invoice_id, customer_id, 'SEK', issue_date + 20, 250.00, 'payment'
       FROM invoice_facts WHERE settled_on IS NULL AND invoice_no LIKE '%00'""",
    """UPDATE invoice_facts i SET entries_total = e.amount, last_entry_on = e.on_date
       FROM ar_entries e WHERE e.invoice_id = i.invoice_id""",
    """INSERT INTO scheduled_sums (currency, due_on, late_days, gross)
       SELECT s.currency, s.due_on, c.late_days, sum(s.gross) FROM scheduled s JOIN customers c USING (customer_id)
       GROUP BY 1, 2, 3""",
    """INSERT INTO customer_mrr (currency, customer_id, month, mrr)
       SELECT 'SEK', l.customer_id, m::date, sum(l.mrr)
       FROM mrr_lines l, generate_series(date_trunc('month', l.start_date), l.end_date, interval '1 month') m
       WHERE (m + interval '1 month' - interval '1 day')::date BETWEEN l.start_date AND l.end_date
       GROUP BY 2, 3""",
    """INSERT INTO collections (payment_id, customer_id, currency, paid_on, applied, credited)
       SELECT 'pay:' || invoice_id, customer_id, 'SEK', settled_on, gross, 0
       FROM invoice_facts WHERE settled_on IS NOT NULL""",
    """INSERT INTO recognition (currency, issue_month, month, amount)
       SELECT 'SEK', date_trunc('month', issue_date)::date, date_trunc('month', issue_date)::date, sum(total)
       FROM invoice_facts GROUP BY 2, 3""",
    """INSERT INTO month_totals (currency, month, sales_gross, collected)
       SELECT 'SEK', m, coalesce((SELECT sum(gross) FROM invoice_facts WHERE date_trunc('month', issue_date) = m), 0),
              coalesce((SELECT sum(applied) FROM collections WHERE date_trunc('month', paid_on) = m), 0)
       FROM (SELECT DISTINCT date_trunc('month', issue_date)::date AS m FROM invoice_facts) months""",
]


async def _load(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute(_LOAD[0], CUSTOMERS)
        await conn.execute(_LOAD[1], CONTRACTS, CUSTOMERS, TODAY)
        for sql in _LOAD[2:5]:
            await conn.execute(sql, *([TODAY] if "$1" in sql else []))
        await conn.execute(_LOAD[5], INVOICES, CUSTOMERS, TODAY)
        for sql in _LOAD[6:]:
            await conn.execute(sql)
        await _fold_mrr_months(conn)
        await conn.execute("ANALYZE")


async def _fold_mrr_months(conn: asyncpg.Connection) -> None:
    """The month totals as the handlers fold them: each customer's contribution (domain.contributions)."""
    by_customer: dict[uuid.UUID, dict[date, Decimal]] = {}
    for r in await conn.fetch("SELECT customer_id, month, mrr FROM customer_mrr"):
        by_customer.setdefault(r[0], {})[r[1]] = r[2]
    totals: dict[date, list[Decimal]] = {}
    for s in by_customer.values():
        for m, row in contributions(s).items():
            t = totals.setdefault(m, [Decimal(0)] * len(MOVES))
            for i, v in enumerate(row):
                t[i] += v
    await conn.executemany(
        "INSERT INTO mrr_months (currency, month, mrr, new, reactivation, expansion, contraction, churn, customers) "
        "VALUES ('SEK', $1, $2, $3, $4, $5, $6, $7, $8)",
        [(m, *t) for m, t in sorted(totals.items())],
    )


async def _dashboard_figure(common: CommonSettings) -> Figure:
    pool = await _migrated(_url(common, "reporting"), "avtal_reporting")
    try:
        started = time.monotonic()
        await _load(pool)
        print(
            f"  loaded {INVOICES} invoices, {CONTRACTS} contracts in {time.monotonic() - started:.0f} s",
            flush=True,
        )
        times = []
        for i in range(CALLS + 3):
            t = time.perf_counter()
            d = await dashboard(ReportingUnitOfWork(pool, "bench"), Filters("SEK"), TODAY, 12)
            if i >= 3:  # the first calls warm PostgreSQL's caches
                times.append((time.perf_counter() - t) * 1000)
        p95 = statistics.quantiles(times, n=20)[18]
        print(f"  dashboard p95 {p95:.0f} ms, median {statistics.median(times):.0f} ms; "
              f"aging total {d.aging.total}, MRR {d.mrr[-1].mrr}", flush=True)  # fmt: skip
        return Figure(
            "dashboard_api_p95_ms", p95, "ms", target=DASHBOARD_TARGET_MS,
            note=f"{INVOICES} invoices ({INVOICES // 50} open), {CONTRACTS} contracts × 3 lines, "
            f"{CUSTOMERS} customers; the whole dashboard (MRR bridge, revenue, aging, forecast, renewals, "
            f"top customers) for one currency over 12 months, {CALLS} calls in process (no HTTP)",
        )  # fmt: skip
    finally:
        await pool.close()


def _events(n: int) -> list[tuple[str, bytes, bytes]]:
    """A mix like a live system's: per contract a state, then invoices and their payments."""
    out = []
    for i in range(n):
        customer, contract, invoice = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        issued = TODAY - timedelta(days=i % 700)
        kind = i % 10
        if kind == 0:
            topic, data = (
                topics.CONTRACT_STATE,
                {
                    "contract_id": str(contract),
                    "contract_no": f"R-{i}",
                    "currency": "SEK",
                    "customer": {
                        "customer_id": str(customer),
                        "name": f"Replay {i}",
                        "email": "r@replay.example",
                    },
                    "start_date": str(issued),
                    "end_date": str(issued + timedelta(days=364)),
                    "billing_interval_months": 12,
                    "status": "active",
                    "lines": [
                        {
                            "line_id": str(uuid.uuid4()),
                            "product_id": str(uuid.uuid4()),
                            "sku": "R",
                            "product_name": "R",
                            "annual_price": "1200.00",
                            "item": {
                                "item_id": str(uuid.uuid4()),
                                "manufacturer_no": "M",
                                "model": "X",
                                "serial_no": str(i),
                            },
                        }
                    ],
                },
            )
        elif kind < 7:
            topic, data = (
                topics.INVOICE_GENERATED,
                {
                    "invoice_id": str(invoice),
                    "invoice_no": f"R-{i}",
                    "contract_id": str(contract),
                    "customer_id": str(customer),
                    "customer_name": "R",
                    "customer_email": "r@replay.example",
                    "currency": "SEK",
                    "issue_date": str(issued),
                    "due_date": str(issued + timedelta(days=30)),
                    "period_start": str(issued),
                    "period_end": str(issued + timedelta(days=89)),
                    "total": "375.00",
                    "net": "300.00",
                    "vat": "75.00",
                    "pdf_path": f"/invoices/{invoice}/pdf",
                    "pdf_sha256": "0" * 64,
                    "lines": [
                        {
                            "description": "R",
                            "period_start": str(issued),
                            "period_end": str(issued + timedelta(days=89)),
                            "amount": "300.00",
                            "contract_id": str(contract),
                            "vat_rate": "25",
                            "vat": "75.00",
                        }
                    ],
                },
            )
        else:
            topic, data = (
                topics.PAYMENT_APPLIED,
                {
                    "payment_id": f"R-{i}",
                    "invoice_id": str(invoice),
                    "invoice_no": f"R-{i}",
                    "customer_id": str(customer),
                    "currency": "SEK",
                    "applied": "375.00",
                    "credited": "0.00",
                    "paid_on": str(issued + timedelta(days=20)),
                },
            )
        envelope = {"event_id": str(uuid.uuid4()), "event_type": topic, "producer": "bench",
                    "aggregate_id": str(contract), "version": 1, "data": data}  # fmt: skip
        out.append((topic, str(contract).encode(), json.dumps(envelope).encode()))
    return out


async def _raw_consume_s(common: CommonSettings, tps: list[TopicPartition]) -> tuple[float, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=common.bootstrap_list, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                max_partition_fetch_bytes=4 * 1024 * 1024)  # fmt: skip
    await consumer.start()
    try:
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        started, seen = time.monotonic(), 0
        pending = set(tps)
        while pending:  # to the end and on until a fetch is empty: Tansu's end offsets count batches
            fetched = await consumer.getmany(*pending, timeout_ms=500, max_records=500)
            for tp in list(pending):
                seen += len(fetched.get(tp, []))
                if not fetched.get(tp) and await consumer.position(tp) >= end[tp]:
                    pending.discard(tp)
        return time.monotonic() - started, seen
    finally:
        await consumer.stop()


async def _replay_figure(common: CommonSettings) -> Figure:
    await ensure_topics(common, sorted({h.topic for h in HANDLERS}))
    producer = AIOKafkaProducer(bootstrap_servers=common.bootstrap_list, acks="all", linger_ms=20)
    await producer.start()
    try:
        for topic, key, value in _events(REPLAY_EVENTS):
            await producer.send(topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()
    pool = await _migrated(_url(common, "reporting_replay"), "avtal_reporting")
    try:
        progress = await rebuild(ReportingUnitOfWork(pool, "bench"), common, HANDLERS, RebuildProgress())
        known = await topic_partitions(common)
        tps = [TopicPartition(h.topic, p) for h in HANDLERS for p in known.get(h.topic, ())]
        raw_s, raw_n = await _raw_consume_s(common, tps)
    finally:
        await pool.close()
    rate, raw = progress.read / progress.seconds, raw_n / raw_s
    print(f"  rebuild {progress.read} events in {progress.seconds:.1f} s ({rate:.0f}/s; {progress.skipped} "
          f"skipped), raw consume {raw_n} in {raw_s:.2f} s ({raw:.0f}/s)", flush=True)  # fmt: skip
    return Figure(
        "reporting_replay_events_per_s", rate, "events/s", limit=raw, min_ratio=REPLAY_MIN_RATIO,
        note=f"rebuild of every read model from {progress.read} events on reporting's topics (10% "
        f"contract.state, 60% invoice.generated, 30% payment.applied) into an empty database; limit = a "
        f"raw aiokafka consume (no group) of the same partitions",
    )  # fmt: skip


async def figures(common: CommonSettings) -> list[Figure]:
    print(f"reporting: rebuild of {REPLAY_EVENTS} events beside a raw consume ...", flush=True)
    replay = await _replay_figure(common)
    print(f"reporting: the dashboard with {INVOICES} invoices behind it ...", flush=True)
    return [replay, await _dashboard_figure(common)]
