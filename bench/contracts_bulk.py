"""Contracts figure: co-terminate 100,000 contracts through the real bulk job (start, then the worker's
batches until done) against one raw UPDATE of the same contracts and lines."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import date

import asyncpg

from avtal_common.db import SessionLimits, create_pool, ensure_database
from avtal_common.migrations import common_migrations, migrate, package_migrations
from avtal_common.settings import CommonSettings
from avtal_contracts.handlers.bulk import StartBulkJob
from avtal_contracts.handlers.bulk_runs import run_batch, start_bulk_job
from avtal_contracts.settings import ContractsSettings
from avtal_contracts.store.search import Selection
from avtal_contracts.store.uow import ContractsUnitOfWork
from bench.report import Figure

ROWS = int(os.environ.get("AVTAL_BENCH_BULK_CONTRACTS", "100000"))
BATCH = ContractsSettings().bulk_batch_size
WORKERS = ContractsSettings().bulk_workers  # the loops one contracts process runs
TARGET_S = 60.0
TODAY = date(2026, 11, 28)
NEW_END = date(2027, 3, 31)

# One customer with ROWS items, each on its own contract of one line, ending 2026-12-01 + 0..364 days.
_CUSTOMER = "INSERT INTO customers (customer_id, name, email) VALUES ($1, 'Bench AB', 'bench@example.com')"
_PRODUCT = """INSERT INTO products (product_id, sku, name, annual_price, currency, active, version, vendor)
       VALUES ($1, 'BENCH-CARE', 'Bench care', 1200, 'SEK', true, 1, 'BENCHV')"""
# $1 customer, $2 product, $3 how many
_ROWS = [
    """INSERT INTO covered_items (item_id, customer_id, manufacturer_no, model, serial_no)
       SELECT md5('i' || i)::uuid, $1, 'BENCH', 'DL380', 'SN-' || i FROM generate_series(1, $3) AS i
       WHERE $2::uuid IS NOT NULL""",
    """INSERT INTO contracts (contract_id, contract_no, customer_id, currency, start_date, end_date,
                             billing_interval_months, status, version)
       SELECT md5('c' || i)::uuid, 'B-' || lpad(i::text, 7, '0'), $1, 'SEK', DATE '2026-01-01',
              DATE '2026-12-01' + i % 365, 12, 'active', 1 FROM generate_series(1, $3) AS i
       WHERE $2::uuid IS NOT NULL""",
    """INSERT INTO contract_lines (line_id, contract_id, product_id, sku, product_name, item_id, annual_price,
                                  unit_price, quantity, start_date, end_date)
       SELECT md5('l' || i)::uuid, md5('c' || i)::uuid, $2, 'BENCH-CARE', 'Bench care', md5('i' || i)::uuid,
              1200 + i % 7, 1200 + i % 7, 1, DATE '2026-01-01', DATE '2026-12-01' + i % 365
       FROM generate_series(1, $3) AS i WHERE $1::uuid IS NOT NULL""",
]
_RAW = [
    "UPDATE contracts SET end_date = $1, version = version + 1, updated_at = now() WHERE customer_id = $2",
    """UPDATE contract_lines l SET end_date = $1 FROM contracts c
       WHERE c.contract_id = l.contract_id AND c.customer_id = $2""",
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
        await conn.execute(f'DROP DATABASE IF EXISTS "{_url(common).rpartition("/")[2]}"')
    finally:
        await conn.close()


async def _load(pool: asyncpg.Pool) -> uuid.UUID:
    customer, product = uuid.uuid4(), uuid.uuid4()
    async with pool.acquire() as conn:
        await conn.execute(_CUSTOMER, customer)
        await conn.execute(_PRODUCT, product)
        for statement in _ROWS:
            await conn.execute(statement, customer, product, ROWS)
        for table in ("contracts", "contract_lines", "covered_items"):
            await conn.execute(f"VACUUM ANALYZE {table}")
    return customer


async def _raw_s(pool: asyncpg.Pool, customer: uuid.UUID) -> float:
    """The limit: the same contracts' and lines' end dates set in place (no audit, events or job), rolled
    back."""
    async with pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        started = time.perf_counter()
        for statement in _RAW:
            await conn.execute(statement, NEW_END, customer)
        took = time.perf_counter() - started
        await tx.rollback()
        await conn.execute("VACUUM ANALYZE contracts")
        await conn.execute("VACUUM ANALYZE contract_lines")
    return took


async def _job_s(pool: asyncpg.Pool, customer: uuid.UUID) -> tuple[float, int, int, int]:
    """Start the job and run the worker's batches until none is left: seconds, applied, audit rows, events."""
    started = time.perf_counter()
    async with ContractsUnitOfWork(pool, "contracts") as uow:
        cmd = StartBulkJob("coterminate", Selection(customer), {"end_date": NEW_END.isoformat()}, "bench")
        job = await start_bulk_job(uow, cmd, TODAY, 90)

    async def worker() -> None:
        while await run_batch(lambda: ContractsUnitOfWork(pool, "contracts"), job.job_id, BATCH, TODAY):
            pass

    await asyncio.gather(*(worker() for _ in range(WORKERS)))
    took = time.perf_counter() - started
    async with pool.acquire() as conn:
        applied = await conn.fetchval("SELECT applied FROM bulk_jobs WHERE job_id = $1", job.job_id)
        audits = await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'bulk_coterminate'")
        events = await conn.fetchval("SELECT count(*) FROM outbox")
    return took, int(applied), int(audits), int(events)


async def figures(common: CommonSettings) -> list[Figure]:
    pool = await _database(common)
    try:
        print(f"contracts: loading {ROWS} contracts with one line each ...", flush=True)
        customer = await _load(pool)
        raw_s = await _raw_s(pool, customer)
        print(f"  raw UPDATE {raw_s:.2f} s; the co-terminate job ...", flush=True)
        job_s, applied, audits, events = await _job_s(pool, customer)
        print(f"  job {job_s:.2f} s: {applied} applied, {audits} audit rows, {events} events", flush=True)
    finally:
        await pool.close()
        await _drop(common)
    return [
        Figure(
            "bulk_coterminate_100k_s", job_s, "s", limit=raw_s, target=TARGET_S,
            note=f"co-terminate {ROWS} one-line contracts to {NEW_END} through the real job: start "
            f"(selection → job rows), then the service's {WORKERS} worker loops, batches of {BATCH} (lock, "
            f"load, domain rule, commit_change into buffers, one statement per table for contracts, lines, "
            f"{audits} audit rows, {events} outbox events (state + contract.amended each) and the results); "
            f"limit = one raw UPDATE of the same contracts' and lines' end dates (no audit, events or job)",
        )
    ]  # fmt: skip


def main() -> None:
    """`python -m bench.contracts_bulk`: this figure alone."""
    import uvloop

    from avtal_common.logging import configure_logging
    from bench.__main__ import ROOT
    from bench.infra import bench_infra

    configure_logging("avtal-bench", "WARNING", json=False)
    with bench_infra(ROOT / ".avtal" / "bench-contracts") as (common, where):
        print(f"contracts bench on {where}", flush=True)
        for figure in uvloop.run(figures(common)):
            print(figure.line())


if __name__ == "__main__":
    main()
