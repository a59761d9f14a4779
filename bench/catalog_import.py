"""`catalog_import_rows_per_s`: a million price-list rows through the catalog's import path (CSV bytes →
decode → validate → COPY to staging → checks → upsert) against raw asyncpg COPY of the same rows."""

from __future__ import annotations

import os
import time
import uuid
from datetime import date
from decimal import Decimal

import asyncpg

from avtal_catalog.store.price_import import PriceImport
from avtal_common.csvimport import ImportOptions, run_import
from avtal_common.db import ensure_database
from avtal_common.migrations import common_migrations, migrate, package_migrations
from avtal_common.settings import CommonSettings
from bench.report import Figure

ROWS = int(os.environ.get("AVTAL_BENCH_IMPORT_ROWS", "1000000"))
LISTS = 10  # every product on ten vendors' and distributors' lists
MIN_RATIO = 0.40  # issue 7
_COLUMNS = [
    "entry_id",
    "party_id",
    "product_id",
    "currency",
    "list_price",
    "cost",
    "effective_from",
    "created_by",
]


async def _database(common: CommonSettings) -> asyncpg.Connection:
    url = common.database_url(f"avtal_bench_import_{uuid.uuid4().hex[:8]}")
    await ensure_database(url)
    conn = await asyncpg.connect(url)
    await migrate(conn, common_migrations() + package_migrations("avtal_catalog"))
    return conn


async def _seed(
    conn: asyncpg.Connection, products: int
) -> tuple[list[tuple[str, uuid.UUID]], list[tuple[str, uuid.UUID]]]:
    skus = [(f"BENCH-{i:07d}", uuid.uuid4()) for i in range(products)]
    lists = [(f"LIST{n:02d}", uuid.uuid4()) for n in range(LISTS)]
    await conn.copy_records_to_table(
        "products",
        records=[(pid, sku, f"Product {sku}", Decimal("100.00"), "SEK") for sku, pid in skus],
        columns=["product_id", "sku", "name", "annual_price", "currency"],
    )
    await conn.copy_records_to_table(
        "parties",
        records=[(pid, "vendor", code, code) for code, pid in lists],
        columns=["party_id", "kind", "code", "name"],
    )
    return skus, lists


def _price(i: int) -> Decimal:
    return Decimal(100 + i % 9000) + Decimal(i % 100) / 100


def _csv(skus: list[tuple[str, uuid.UUID]], lists: list[tuple[str, uuid.UUID]]) -> bytes:
    lines = ["sku,list_code,currency,list_price,cost,effective_from"]
    i = 0
    for sku, _ in skus:
        for code, _ in lists:
            lines.append(f"{sku},{code},SEK,{_price(i)},{_price(i) / 2:.2f},2026-01-01")
            i += 1
    return ("\n".join(lines) + "\n").encode()


def _records(
    skus: list[tuple[str, uuid.UUID]], lists: list[tuple[str, uuid.UUID]]
) -> list[tuple[object, ...]]:
    start, i, out = date(2026, 1, 1), 0, []
    for _, product_id in skus:
        for _, party_id in lists:
            cost = (_price(i) / 2).quantize(Decimal("0.01"))
            out.append((uuid.uuid4(), party_id, product_id, "SEK", _price(i), cost, start, "bench"))
            i += 1
    return out


async def _fresh(conn: asyncpg.Connection) -> None:
    await conn.execute("TRUNCATE price_entries CASCADE")
    await conn.execute("CHECKPOINT")


async def figures(common: CommonSettings) -> list[Figure]:
    print(f"catalog import: {ROWS:,} price-list rows through the import path, then raw COPY ...", flush=True)
    conn = await _database(common)
    try:
        skus, lists = await _seed(conn, ROWS // LISTS)
        data = _csv(skus, lists)
        await _fresh(conn)
        started = time.monotonic()
        report = await run_import(conn, data, PriceImport(created_by="bench"), ImportOptions())
        import_s = time.monotonic() - started
        assert report.committed and report.inserted == ROWS, report.model_dump(exclude={"errors"})
        records = _records(skus, lists)
        await _fresh(conn)
        started = time.monotonic()
        await conn.copy_records_to_table("price_entries", records=records, columns=_COLUMNS)
        copy_s = time.monotonic() - started
    finally:
        await conn.close()
    print(f"  import {import_s:.2f} s; raw COPY {copy_s:.2f} s", flush=True)
    return [
        Figure(
            "catalog_import_rows_per_s",
            ROWS / import_s,
            "rows/s",
            limit=ROWS / copy_s,
            min_ratio=MIN_RATIO,
            note=f"{ROWS:,} rows, {len(data) / 1e6:.0f} MB CSV: decode, validate, COPY to staging, checks, "
            "upsert (one transaction); limit = asyncpg COPY of the same prepared rows into price_entries",
        )
    ]
