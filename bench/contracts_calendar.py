"""Contracts calendar figures over 1,000,000 contracts: the daily expiry scan (what is due: status moves,
reminders, renewals) and one contract's workspace reads (the contract and its history) over HTTP."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx

from avtal_common.db import SessionLimits, create_pool, ensure_database
from avtal_common.migrations import common_migrations, migrate, package_migrations
from avtal_common.settings import CommonSettings
from avtal_contracts.domain.calendar import DEFAULT_LEADS
from avtal_contracts.store.uow import ContractsUnitOfWork
from bench.infra import free_port
from bench.report import Figure

ROWS = int(os.environ.get("AVTAL_BENCH_CONTRACT_ROWS", "1000000"))
SCAN_TARGET_S = 5.0
WORKSPACE_TARGET_MS = 100.0
CUSTOMERS = 10_000
TODAY = date.today()
TOKEN = secrets.token_urlsafe(24)  # the service refuses a guessable one

# Contract i ends on TODAY - 30 + i % 1460 (spread over four years), a year long; every fourth has 60
# days' notice, every third renews automatically. Each has one line, one item and one audit entry.
_LOAD = [
    """INSERT INTO customers (customer_id, name, email)
       SELECT gen_random_uuid(), 'Bench ' || i, 'bench' || i || '@example.com'
       FROM generate_series(1, $1) i""",
    """INSERT INTO products (product_id, sku, name, annual_price, currency, active, version)
       SELECT gen_random_uuid(), 'BENCH-' || i, 'Care ' || i, 1000 + i, 'SEK', true, 1
       FROM generate_series(1, 50) i""",
    """CREATE TEMP TABLE bench_ids AS
       SELECT i, gen_random_uuid() AS contract_id, gen_random_uuid() AS item_id, c.customer_id
       FROM generate_series(1, $1) i
       JOIN (SELECT row_number() OVER (ORDER BY customer_id) - 1 AS n, customer_id FROM customers) c
           ON c.n = i % $2""",
    """INSERT INTO covered_items (item_id, customer_id, manufacturer_no, model, serial_no)
       SELECT item_id, customer_id, 'M', 'X', 'SN' || i FROM bench_ids""",
    """INSERT INTO contracts (contract_id, contract_no, customer_id, currency, start_date, end_date,
           billing_interval_months, status, notice_days, auto_renew)
       SELECT contract_id, 'B-' || i, customer_id, 'SEK',
              $1::date - 30 + i % 1460 - 364, $1::date - 30 + i % 1460, 12, 'active',
              CASE WHEN i % 4 = 0 THEN 60 ELSE 0 END, i % 3 = 0
       FROM bench_ids""",
    """INSERT INTO contract_lines (line_id, contract_id, product_id, sku, product_name, item_id,
           annual_price, unit_price, start_date, end_date)
       SELECT gen_random_uuid(), b.contract_id, p.product_id, p.sku, p.name, b.item_id, p.annual_price,
              p.annual_price, c.start_date, c.end_date
       FROM bench_ids b JOIN contracts c USING (contract_id)
       JOIN products p ON p.sku = 'BENCH-' || (1 + b.i % 50)""",
    """INSERT INTO audit_log (contract_id, action, actor, version, effective_date)
       SELECT contract_id, 'created', 'bench', 1, start_date FROM contracts""",
]
# The state yesterday's run left: statuses stored, reminders of every lead due by yesterday sent.
_YESTERDAY = [
    """UPDATE contracts SET status = CASE WHEN end_date < $1::date THEN 'expired'
           WHEN end_date - notice_days - 90 <= $1::date THEN 'expiring' ELSE 'active' END""",
    """INSERT INTO contract_reminders (contract_id, term_end, basis, lead_days, due_on, sent_on)
       SELECT c.contract_id, c.end_date, b.basis, l, b.day - l, b.day - l
       FROM contracts c
       CROSS JOIN LATERAL (VALUES ('term_end', c.end_date), ('notice_deadline', c.end_date - c.notice_days))
           AS b(basis, day)
       CROSS JOIN unnest($2::int[]) AS l
       WHERE c.status IN ('active', 'expiring') AND b.day - l <= $1::date AND b.day >= $1::date
         AND (b.basis = 'term_end' OR c.notice_days > 0)""",
]


def _url(common: CommonSettings) -> str:
    base, _, _ = common.postgres_url.rpartition("/")
    return f"{base}/avtal_bench_contracts_{os.getpid()}"


async def _database(common: CommonSettings) -> asyncpg.Pool:
    url = _url(common)
    await ensure_database(url)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn, common_migrations() + package_migrations("avtal_contracts"))
    finally:
        await conn.close()
    hour = 3600.0
    limits = SessionLimits(statement_timeout_s=hour, idle_in_transaction_timeout_s=hour)
    return await create_pool(url, min_size=1, max_size=4, limits=limits)


async def _drop(common: CommonSettings) -> None:
    conn = await asyncpg.connect(common.postgres_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{_url(common).rpartition("/")[2]}" WITH (FORCE)')
    finally:
        await conn.close()


async def _load(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("SET maintenance_work_mem = '256MB'")
        params: list[tuple[object, ...]] = [(CUSTOMERS,), (), (ROWS, CUSTOMERS), (), (TODAY,), (), ()]
        for sql, args in zip(_LOAD, params, strict=True):
            await conn.execute(sql, *args)
        yesterday = TODAY - timedelta(days=1)
        await conn.execute(_YESTERDAY[0], yesterday)
        await conn.execute(_YESTERDAY[1], yesterday, list(DEFAULT_LEADS))
        for table in ("contracts", "contract_lines", "covered_items", "audit_log", "contract_reminders"):
            await conn.execute(f"VACUUM ANALYZE {table}")


async def _scan_s(pool: asyncpg.Pool) -> tuple[list[float], int]:
    """The scan of today's run: the first of three (the daily job runs it once), the others in the note."""
    uow = ContractsUnitOfWork(pool, "contracts")
    times, found = [], 0
    for _ in range(3):
        started = time.perf_counter()
        async with uow:
            found = len(await uow.calendar.due(TODAY, DEFAULT_LEADS, 90, None))
        times.append(time.perf_counter() - started)
    return times, found


def _service(common: CommonSettings, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The contracts service on the bench database (its start-up calendar run does today's due work)."""
    port = free_port()
    env = os.environ | {
        "AVTAL_POSTGRES_URL": common.postgres_url,
        "AVTAL_KAFKA_BOOTSTRAP_SERVERS": common.kafka_bootstrap_servers,
        "AVTAL_KAFKA_PROFILE": common.kafka_profile,
        "AVTAL_SERVICE_TOKEN": TOKEN,
        "AVTAL_LOG_LEVEL": "WARNING",
        "AVTAL_CONTRACTS_DATABASE_URL": _url(common),
        "AVTAL_CONTRACTS_HTTP_PORT": str(port),
    }
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "avtal_contracts"], env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"the bench contracts service did not become ready (see {log})")


def _workspace_ms(url: str, ids: list[str], rounds: int = 2) -> tuple[float, float, float]:
    """p95 and p50 of GET contract + GET history (one workspace's reads), and the run's catch-up seconds."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=url, headers=headers, timeout=600) as c:
        started = time.perf_counter()
        c.post("/calendar/run").raise_for_status()  # waits for the start-up run (one run at a time)
        catch_up = time.perf_counter() - started
        times = []
        for _ in range(rounds):
            for cid in ids:
                t0 = time.perf_counter()
                c.get(f"/contracts/{cid}").raise_for_status()
                c.get(f"/contracts/{cid}/history").raise_for_status()
                times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[int(len(times) * 0.95) - 1], times[len(times) // 2], catch_up


async def figures(common: CommonSettings, home: Path) -> list[Figure]:
    pool = await _database(common)
    proc = None
    try:
        print(f"contracts: loading {ROWS} contracts with lines, items and audit ...", flush=True)
        started = time.perf_counter()
        await _load(pool)
        print(f"  loaded in {time.perf_counter() - started:.0f} s; expiry scan ...", flush=True)
        scans, due = await _scan_s(pool)
        async with pool.acquire() as conn:
            ids = [
                str(r[0])
                for r in await conn.fetch(
                    "SELECT contract_id FROM contracts TABLESAMPLE SYSTEM (1) LIMIT 200"
                )
            ]
        print(f"  scan {scans[0]:.2f} s ({due} due); workspace reads over HTTP ...", flush=True)
        proc, url = _service(common, home / "contracts-bench.log")
        p95, p50, catch_up = _workspace_ms(url, ids)
        print(f"  workspace p95 {p95:.1f} ms (p50 {p50:.1f}); today's run {catch_up:.1f} s", flush=True)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(60)
        await pool.close()
        await _drop(common)
    return [
        Figure(
            "expiry_scan_1m_s", scans[0], "s", target=SCAN_TARGET_S,
            note=f"CalendarRepo.due over {ROWS} contracts (ends spread over 4 years, 1 in 4 with notice, "
            f"yesterday's statuses and reminders stored): status moves + latest due reminder per basis not "
            f"yet sent + auto-renewals, {due} due today; reruns {scans[1]:.2f}/{scans[2]:.2f} s. Doing "
            f"today's due work (events, audit) took {catch_up:.1f} s and is not in the figure",
        ),
        Figure(
            "contract_workspace_p95_ms", p95, "ms", target=WORKSPACE_TARGET_MS,
            note=f"internal GET /contracts/{{id}} + GET /contracts/{{id}}/history over HTTP (the contracts "
            f"service; {ROWS} contracts, as many lines and audit rows), {len(ids)} random contracts x 2; "
            f"p50 {p50:.1f} ms. The gateway page adds its own hop and billing's invoices (not measured here)",
        ),
    ]  # fmt: skip
