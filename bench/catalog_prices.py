"""Catalog figures: the price update tool over 1,000,000 prices against one raw UPDATE, and product search
over 1,000,000 products (p95 of typical queries)."""

from __future__ import annotations

import os
import time
from datetime import date
from decimal import Decimal

import asyncpg

from avtal_catalog.domain.commands import PreviewPriceJob
from avtal_catalog.domain.prices import PriceRule, Selection
from avtal_catalog.handlers.jobs import apply_price_job, preview_price_job
from avtal_catalog.store.search import ProductQuery, search_products
from avtal_catalog.store.uow import CatalogUnitOfWork
from avtal_common.db import SessionLimits, create_pool, ensure_database
from avtal_common.migrations import common_migrations, migrate, package_migrations
from avtal_common.settings import CommonSettings
from bench.report import Figure

ROWS = int(os.environ.get("AVTAL_BENCH_CATALOG_ROWS", "1000000"))
RATIO_TARGET = 0.50
SEARCH_TARGET_MS = 50.0
SERIES = ["PowerEdge", "ProLiant", "ThinkSystem", "UCS", "FAS", "PowerVault", "Primergy", "FusionServer"]
MAKERS = ["Dell", "HPE", "Lenovo", "Cisco", "NetApp", "Dell", "Fujitsu", "Huawei"]
PREFIX = ["R", "DL", "SR", "C", "A", "ME", "RX", "TS"]
LEVELS = ["Bronze", "Silver", "Gold"]

# Products i = 1..N: maker/series/model prefix by i % 8, model number by (i / 8) % 900, level by i % 3.
_PRODUCTS = """
INSERT INTO products (product_id, sku, name, annual_price, currency, manufacturer, models, category, vendor)
SELECT gen_random_uuid(), 'BENCH-' || lpad(i::text, 7, '0'),
       s[1 + i % 8] || ' ' || p[1 + i % 8] || (100 + (i / 8) % 900) || ' ' || l[1 + i % 3] || ' care ' || i,
       (500 + i % 9500)::numeric(14, 2), 'SEK', m[1 + i % 8],
       ARRAY[p[1 + i % 8] || (100 + (i / 8) % 900)], 'server', 'BENCHV'
FROM generate_series(1, $1) AS i, (SELECT $2::text[] s, $3::text[] m, $4::text[] p, $5::text[] l) AS a
"""
_PRICES = """
INSERT INTO price_entries (entry_id, party_id, product_id, currency, list_price, effective_from)
SELECT gen_random_uuid(), $1, product_id, 'SEK', annual_price, DATE '2025-01-01' FROM products
"""
_RAW = """
UPDATE price_entries e SET list_price = round(list_price * 1.035, 2)
WHERE e.party_id = $1 AND e.effective @> DATE '2027-01-01'
"""
QUERIES = [
    "poweredge r47", "proliant dl38", "thinksystem sr65", "powredge r740", "prolaint dl380", "R740", "DL380",
    "SR650", "powervault me5", "ucs c220", "BENCH-0421337", "primergy rx300 gold", "fusionserver ts500",
    "fas a400 silver", "thinksystm sr630", "me512",
]  # fmt: skip


class _NoContracts:
    """The bench database has no contracts: the revenue impact is zero (the HTTP call is not timed)."""

    async def annual_values(self, product_ids: set[object]) -> dict[object, object]:
        return {}


def _url(common: CommonSettings) -> str:
    base, _, _ = common.postgres_url.rpartition("/")
    return f"{base}/avtal_bench_catalog_{os.getpid()}"


async def _drop(common: CommonSettings) -> None:
    """Two million rows are not left behind on a server the bench did not start."""
    conn = await asyncpg.connect(common.postgres_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{_url(common).rpartition("/")[2]}"')
    finally:
        await conn.close()


async def _database(common: CommonSettings) -> asyncpg.Pool:
    url = _url(common)
    await ensure_database(url)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn, common_migrations() + package_migrations("avtal_catalog"))
    finally:
        await conn.close()
    # A million-row statement outlasts the services' 120 s default on a busy machine.
    hour = 3600.0
    limits = SessionLimits(statement_timeout_s=hour, idle_in_transaction_timeout_s=hour)
    return await create_pool(url, min_size=1, max_size=4, limits=limits)


async def _load(pool: asyncpg.Pool) -> object:
    async with pool.acquire() as conn:
        await conn.execute("SET maintenance_work_mem = '256MB'")
        party = await conn.fetchval(
            "INSERT INTO parties (party_id, kind, code, name) VALUES (gen_random_uuid(), 'vendor', 'BENCHV', "
            "'Bench vendor') RETURNING party_id"
        )
        await conn.execute(_PRODUCTS, ROWS, SERIES, MAKERS, PREFIX, LEVELS)
        await conn.execute(_PRICES, party)
        await conn.execute("VACUUM ANALYZE products")
        await conn.execute("VACUUM ANALYZE price_entries")
        return party


async def _raw_update_s(pool: asyncpg.Pool, party: object) -> float:
    """The limit: one UPDATE of the same rows' prices in place (no history, job or events), rolled back."""
    async with pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        started = time.perf_counter()
        await conn.execute(_RAW, party)
        took = time.perf_counter() - started
        await tx.rollback()
        await conn.execute("VACUUM ANALYZE price_entries")
    return took


async def _price_job_s(pool: asyncpg.Pool) -> tuple[float, float, int]:
    """Seconds of the preview (select, rule, rows kept) and of the apply (the timed figure)."""
    uow = CatalogUnitOfWork(pool, "catalog")
    cmd = PreviewPriceJob(
        Selection(vendor="BENCHV"), PriceRule("percent", Decimal("3.5"), "0.99"), date(2027, 1, 1), "bench"
    )
    started = time.perf_counter()
    async with uow:
        job = await preview_price_job(uow, _NoContracts(), cmd)  # type: ignore[arg-type]  # a stand-in port
    previewed = time.perf_counter()
    async with uow:
        await apply_price_job(uow, job.job_id, "bench")
    return previewed - started, time.perf_counter() - previewed, job.row_count


async def _search_p95_ms(pool: asyncpg.Pool, rounds: int = 10) -> tuple[float, float]:
    uow = CatalogUnitOfWork(pool, "catalog")
    times = []
    for _ in range(rounds):
        for q in QUERIES:
            started = time.perf_counter()
            async with uow:
                await search_products(uow.conn, ProductQuery(q, limit=20))
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[int(len(times) * 0.95) - 1], times[len(times) // 2]


async def figures(common: CommonSettings) -> list[Figure]:
    pool = await _database(common)
    try:
        print(f"catalog: loading {ROWS} products and {ROWS} prices ...", flush=True)
        party = await _load(pool)
        p95, p50 = await _search_p95_ms(pool)
        print(f"  search p95 {p95:.1f} ms (p50 {p50:.1f}); raw UPDATE ...", flush=True)
        raw_s = await _raw_update_s(pool, party)
        preview_s, apply_s, rows = await _price_job_s(pool)
        print(
            f"  raw {raw_s:.2f} s; preview {preview_s:.2f} s, apply {apply_s:.2f} s of {rows} rows",
            flush=True,
        )
    finally:
        await pool.close()
        await _drop(common)
    return [
        Figure(
            "price_update_rows_per_s", rows / apply_s, "rows/s", limit=rows / raw_s, min_ratio=RATIO_TARGET,
            note=f"apply of a previewed job (+3.5 %, .99 endings) over {rows} prices: close each old "
            f"entry, insert each new one, one catalog.price.changed per product in the outbox; limit = one "
            f"raw UPDATE of the same rows' list_price in place. The preview before it (select, Decimal rule "
            f"in Python, COPY of the job rows) took {preview_s:.1f} s ({rows / preview_s:.0f} rows/s) and is "
            f"not in the figure",
        ),
        Figure(
            "product_search_p95_ms", p95, "ms", target=SEARCH_TARGET_MS,
            note=f"{len(QUERIES)} typical queries (model, series + model prefix, typos, SKU) x 10 over "
            f"{ROWS} products, store-level (SQL + asyncpg, no HTTP); p50 {p50:.1f} ms",
        ),
    ]  # fmt: skip
