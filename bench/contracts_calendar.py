"""Contracts calendar figures over 1,000,000 contracts: the daily expiry scan (what is due: status moves,
reminders, renewals) and one contract's workspace reads (the contract and its history) over HTTP."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
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


def _url(common: CommonSettings, service: str = "contracts") -> str:
    base, _, _ = common.postgres_url.rpartition("/")
    return f"{base}/avtal_bench_{service}_{os.getpid()}"


async def _migrated(url: str, package: str) -> asyncpg.Pool:
    await ensure_database(url)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn, common_migrations() + package_migrations(package))
    finally:
        await conn.close()
    hour = 3600.0
    limits = SessionLimits(statement_timeout_s=hour, idle_in_transaction_timeout_s=hour)
    return await create_pool(url, min_size=1, max_size=4, limits=limits)


async def _drop(common: CommonSettings) -> None:
    conn = await asyncpg.connect(common.postgres_url)
    try:
        for service in ("contracts", "billing", "gateway"):
            name = _url(common, service).rpartition("/")[2]
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
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


def _spawn(service: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as out:
        return subprocess.Popen([sys.executable, "-m", f"avtal_{service}"], env=env, stdout=out, stderr=out)


def _wait(
    url: str, proc: subprocess.Popen[bytes], probe: str = "/health/ready", timeout_s: float = 120
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{url}{probe}", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"a bench service at {url} did not become ready (logs in .avtal/bench-calendar)")


async def _services(
    common: CommonSettings, home: Path
) -> tuple[list[subprocess.Popen[bytes]], dict[str, str]]:
    """Contracts on the bench database, billing (the page's invoices) and the gateway in front of them.
    The daily job is off: the bench times the day's run itself."""
    for service in ("billing", "gateway"):
        await (await _migrated(_url(common, service), f"avtal_{service}")).close()
    ports = {s: free_port() for s in ("contracts", "billing", "gateway")}
    urls = {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}
    env = os.environ | {
        "AVTAL_POSTGRES_URL": common.postgres_url,
        "AVTAL_KAFKA_BOOTSTRAP_SERVERS": common.kafka_bootstrap_servers,
        "AVTAL_KAFKA_PROFILE": common.kafka_profile,
        "AVTAL_SERVICE_TOKEN": TOKEN,
        "AVTAL_LOG_LEVEL": "WARNING",
        "AVTAL_CONTRACTS_CALENDAR_DAILY": "false",
        "AVTAL_BILLING_AUTO_RUN_AT": "off",
        "AVTAL_GATEWAY_CONTRACTS_URL": urls["contracts"],
        "AVTAL_GATEWAY_BILLING_URL": urls["billing"],
        "AVTAL_GATEWAY_STAFF_PASSWORD": TOKEN,
        "AVTAL_GATEWAY_SESSION_SECRET": secrets.token_hex(16),
        "AVTAL_GATEWAY_COOKIE_SECURE": "false",
    }
    procs = []
    for service in ("contracts", "billing", "gateway"):
        own = {
            f"AVTAL_{service.upper()}_DATABASE_URL": _url(common, service),
            f"AVTAL_{service.upper()}_HTTP_PORT": str(ports[service]),
        }
        procs.append(_spawn(service, env | own, home / f"{service}-bench.log"))
    for service, proc in zip(("contracts", "billing"), procs, strict=False):
        _wait(urls[service], proc)
    _wait(urls["gateway"], procs[2], "/login")  # it is never "ready": catalog and the others are absent
    return procs, urls


def _p95(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return times[int(len(times) * 0.95) - 1], times[len(times) // 2]


def _day_run_s(urls: dict[str, str]) -> float:
    with httpx.Client(
        base_url=urls["contracts"], headers={"Authorization": f"Bearer {TOKEN}"}, timeout=3600
    ) as c:
        started = time.perf_counter()
        c.post("/calendar/run").raise_for_status()
        return time.perf_counter() - started


def _timed(get: Callable[[str], object], ids: list[str], rounds: int = 2) -> list[float]:
    times = []
    for _ in range(rounds):
        for cid in ids:
            t0 = time.perf_counter()
            get(cid)
            times.append((time.perf_counter() - t0) * 1000)
    return times


def _internal_ms(urls: dict[str, str], ids: list[str]) -> list[float]:
    """GET contract + GET history on the contracts service: the data of one workspace."""
    with httpx.Client(base_url=urls["contracts"], headers={"Authorization": f"Bearer {TOKEN}"}) as c:

        def get(cid: str) -> None:
            c.get(f"/contracts/{cid}").raise_for_status()
            c.get(f"/contracts/{cid}/history").raise_for_status()

        return _timed(get, ids)


def _page_ms(urls: dict[str, str], ids: list[str]) -> list[float]:
    """The gateway's contract page as staff (session, contracts, billing's invoices, template)."""
    with httpx.Client(base_url=urls["gateway"], timeout=60) as c:
        c.post("/api/v1/login", json={"email": "staff@avtal.local", "password": TOKEN}).raise_for_status()
        return _timed(lambda cid: c.get(f"/contracts/{cid}").raise_for_status(), ids)


async def figures(common: CommonSettings, home: Path) -> list[Figure]:
    pool = await _migrated(_url(common), "avtal_contracts")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        print(f"contracts: loading {ROWS} contracts with lines, items and audit ...", flush=True)
        started = time.perf_counter()
        await _load(pool)
        print(f"  loaded in {time.perf_counter() - started:.0f} s; expiry scan ...", flush=True)
        scans, due = await _scan_s(pool)
        async with pool.acquire() as conn:
            sample = "SELECT contract_id FROM contracts TABLESAMPLE SYSTEM (1) LIMIT 200"
            ids = [str(r[0]) for r in await conn.fetch(sample)]
        print(f"  scan {scans[0]:.2f} s ({due} due); services ...", flush=True)
        procs, urls = await _services(common, home)
        day_s = _day_run_s(urls)
        page95, page50 = _p95(_page_ms(urls, ids))
        int95, int50 = _p95(_internal_ms(urls, ids))
        print(
            f"  page p95 {page95:.1f} ms (p50 {page50:.1f}); internal p95 {int95:.1f} ms; day {day_s:.1f} s"
        )
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(60)
        await pool.close()
        await _drop(common)
    return [
        Figure(
            "expiry_scan_1m_s", scans[0], "s", target=SCAN_TARGET_S,
            note=f"CalendarRepo.due over {ROWS} contracts (ends spread over 4 years, 1 in 4 with notice, "
            f"yesterday's statuses and reminders stored): status moves + latest due reminder per basis not "
            f"yet sent + auto-renewals, {due} due today; reruns {scans[1]:.2f}/{scans[2]:.2f} s. Doing "
            f"today's due work (events, audit, renewals) took {day_s:.1f} s and is not in the figure",
        ),
        Figure(
            "contract_workspace_p95_ms", page95, "ms", target=WORKSPACE_TARGET_MS,
            note=f"the gateway page /contracts/{{id}} as staff (session, contracts, billing's invoices, "
            f"template) with {ROWS} contracts (as many lines and audit rows), {len(ids)} random contracts "
            f"x 2, p50 {page50:.1f} ms; the internal GET /contracts/{{id}} + /history alone: p95 "
            f"{int95:.1f} ms, p50 {int50:.1f} ms",
        ),
    ]  # fmt: skip
