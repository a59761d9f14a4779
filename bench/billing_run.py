"""Billing figures: a billing run over 100,000 contracts with 3 lines each, to committed invoices, beside
raw asyncpg COPY of the same invoice and line rows; and one-page invoice PDFs through the real render
path beside a bare WeasyPrint render of the same HTML."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import date
from decimal import Decimal

import asyncpg

from avtal_billing.adapters.pdf import WeasyPrintRenderer, invoice_html
from avtal_billing.domain.commands import RunBilling
from avtal_billing.handlers.billing_runs import run_billing
from avtal_billing.settings import BillingSettings
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.settings import CommonSettings
from bench.contracts_calendar import _migrated, _url
from bench.report import Figure

CONTRACTS = int(os.environ.get("AVTAL_BENCH_BILLING_CONTRACTS", "100000"))
PDFS = int(os.environ.get("AVTAL_BENCH_PDFS", "40"))
INVOICES_TARGET = 5000.0  # invoices/s (issue 9)
PDF_MIN_RATIO = 0.80
TODAY = date.today()

# Each contract its own customer (one invoice each), one yearly period due today, three lines.
_LOAD = [
    """INSERT INTO customers (customer_id, name, email, locale, address_line, postal_code, city, seen_at)
       SELECT md5('c' || i)::uuid, 'Bench customer ' || i, 'ap' || i || '@bench.example', 'sv',
              'Storgatan ' || i, '111 22', 'Stockholm', now()
       FROM generate_series(1, $1) i""",
    """INSERT INTO contracts (contract_id, contract_no, customer_id, customer_name, customer_email, locale,
           currency, version, status)
       SELECT md5('k' || i)::uuid, 'C-' || i, md5('c' || i)::uuid, 'Bench customer ' || i,
              'ap' || i || '@bench.example', 'sv', 'SEK', 1, 'active'
       FROM generate_series(1, $1) i""",
    """INSERT INTO billing_periods (contract_id, period_start, period_end, amount, currency, lines, bill_on,
           timing, customer_id)
       SELECT md5('k' || i)::uuid, $2::date, $2::date + 364, 3600.00, 'SEK',
              jsonb_build_array(
                jsonb_build_object('description', 'Server care Gold (SRV-GOLD) · HPE DL380 S/N CZ' || i,
                  'amount', '1200.00', 'line_id', md5('l1' || i)::uuid, 'serials', 'CZ' || i, 'quantity', 1),
                jsonb_build_object('description', 'Storage care (STO) · Dell ME5 S/N ME' || i,
                  'amount', '1200.00', 'line_id', md5('l2' || i)::uuid, 'serials', 'ME' || i, 'quantity', 1),
                jsonb_build_object('description', 'Printer care (PRN) · HP M607 S/N PH' || i,
                  'amount', '1200.00', 'line_id', md5('l3' || i)::uuid, 'serials', 'PH' || i, 'quantity', 1)),
              $2::date, 'advance', md5('c' || i)::uuid
       FROM generate_series(1, $1) i""",
]


async def _load(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute(_LOAD[0], CONTRACTS)
        await conn.execute(_LOAD[1], CONTRACTS)
        await conn.execute(_LOAD[2], CONTRACTS, TODAY)
        await conn.execute("VACUUM ANALYZE")


async def _run_s(pool: asyncpg.Pool) -> tuple[float, int]:
    cmd = RunBilling(TODAY, f"bench:{uuid.uuid4()}", 30, TODAY, "customer", 500, 2)
    started = time.perf_counter()
    run = await run_billing(lambda: BillingUnitOfWork(pool, "billing"), cmd)
    return time.perf_counter() - started, run.invoices_created


async def _raw_s(pool: asyncpg.Pool) -> float:
    """The same invoice and line rows written by asyncpg COPY into empty tables of the same columns
    (JSON columns as text: COPY's binary format has no encoder for the pool's jsonb codec)."""
    async with pool.acquire() as conn:
        copies = []
        for table in ("invoices", "invoice_lines"):
            cols = await conn.fetch(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 "
                "ORDER BY ordinal_position",
                table,
            )
            select = ", ".join(f"{c[0]}::text" if c[1] == "jsonb" else c[0] for c in cols)
            await conn.execute(f"CREATE TABLE raw_{table} AS SELECT {select} FROM {table} LIMIT 0")
            copies.append(
                (f"raw_{table}", [tuple(r) for r in await conn.fetch(f"SELECT {select} FROM {table}")])
            )
        started = time.perf_counter()
        async with conn.transaction():
            for name, rows in copies:
                await conn.copy_records_to_table(name, records=rows)
        return time.perf_counter() - started


async def run_figure(common: CommonSettings) -> Figure:
    url = _url(common, "billing")
    pool = await _migrated(url, "avtal_billing")
    try:
        print(f"billing: loading {CONTRACTS} contracts with 3 lines each ...", flush=True)
        await _load(pool)
        run_s, made = await _run_s(pool)
        raw_s = await _raw_s(pool)
        print(f"  run {run_s:.1f} s for {made} invoices; raw COPY {raw_s:.1f} s", flush=True)
    finally:
        await pool.close()
        conn = await asyncpg.connect(common.postgres_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')
        finally:
            await conn.close()
    return Figure(
        "billing_run_invoices_per_s",
        made / run_s,
        "invoices/s",
        limit=made / raw_s,
        note=f"{CONTRACTS} contracts × 3 lines, one invoice per customer, 500 customers a transaction, "
        f"to committed invoices with numbers, VAT and OCR (invoice.generated follows each PDF: see "
        f"pdf_renders_per_s_per_core); limit = asyncpg COPY of the same rows; "
        f"target ≥ {INVOICES_TARGET:.0f}/s",
    )


def _sample_invoice(i: int) -> object:
    from avtal_billing.domain.contracts import Buyer, Contract
    from avtal_billing.domain.invoices import DuePeriod, bill
    from avtal_billing.domain.schedules import PeriodLine

    buyer = Buyer(
        uuid.uuid4(), f"Bench Kund {i} AB", "ap@bench.example", "sv", "Storgatan 1", "111 22", "Stockholm"
    )
    contract = Contract(
        uuid.uuid4(), f"C-{i}", buyer.customer_id, buyer.name, buyer.email, "sv", "SEK", 1, buyer
    )
    lines = tuple(
        PeriodLine(
            f"Care {k} · HPE DL380 S/N CZ{i}{k}", Decimal("1200.00"), uuid.uuid4(), serials=f"CZ{i}{k}"
        )
        for k in range(3)
    )
    period = DuePeriod(contract, TODAY, TODAY.replace(year=TODAY.year + 1), lines)
    return bill(period, f"INV-{TODAY.year}-{i:06d}", TODAY, 30, invoice_no=i)


def _bare(htmls: list[str]) -> float:
    from weasyprint import HTML

    started = time.perf_counter()
    for h in htmls:
        HTML(string=h).write_pdf()
    return time.perf_counter() - started


async def pdf_figure() -> Figure:
    """One worker (one core) both ways: the real path is the invoice through `WeasyPrintRenderer`
    (template, worker process, no-fetch URL fetcher); the limit renders the same HTML in this process."""
    seller = BillingSettings().seller()
    invoices = [_sample_invoice(i) for i in range(PDFS)]
    htmls = [invoice_html(inv, seller) for inv in invoices]  # type: ignore[arg-type]
    _bare(htmls[:2])  # fonts and WeasyPrint warmed up in this process too
    renderer = WeasyPrintRenderer(1)
    try:
        await renderer.render(invoices[0], seller)  # type: ignore[arg-type]
        started = time.perf_counter()
        for inv in invoices:
            await renderer.render(inv, seller)  # type: ignore[arg-type]
        real_s = time.perf_counter() - started
    finally:
        renderer.close()
    bare_s = _bare(htmls)
    print(f"  pdf: real path {PDFS / real_s:.1f}/s, bare WeasyPrint {PDFS / bare_s:.1f}/s", flush=True)
    return Figure(
        "pdf_renders_per_s_per_core",
        PDFS / real_s,
        "PDFs/s",
        limit=PDFS / bare_s,
        min_ratio=PDF_MIN_RATIO,
        note=f"{PDFS} one-page invoices (3 lines, Swedish) through WeasyPrintRenderer with one worker, one "
        "at a time; limit = HTML(string).write_pdf() of the same HTML in the calling process",
    )


async def figures(common: CommonSettings) -> list[Figure]:
    return [await run_figure(common), await pdf_figure()]


if __name__ == "__main__":
    asyncio.run(pdf_figure())
