"""Billing use cases: schedule from contract events, idempotent billing runs, PDF issuing."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from avtal_billing.adapters.pdf import PdfRenderer
from avtal_billing.domain.billing import PricedLine, due_date, invoice_number, schedule
from avtal_billing.store.repos import ContractRepo, InvoiceRepo, RunRepo
from avtal_common.events import Envelope
from avtal_common.logging import bind_correlation_id, current_correlation_id
from avtal_common.payloads.billing import InvoiceGenerated, InvoiceLineData
from avtal_common.payloads.contracts import ContractCreated
from avtal_common.topics import INVOICE_GENERATED
from avtal_common.uow import Tx, unit_of_work

CHUNK = 500


async def on_contract_created(tx: Tx, event: Envelope[ContractCreated]) -> None:
    c = event.data
    stored = await ContractRepo(tx.conn).apply(
        {
            "contract_id": c.contract_id,
            "contract_no": c.contract_no,
            "customer_id": c.customer.customer_id,
            "customer_name": c.customer.name,
            "customer_email": c.customer.email,
            "locale": c.customer.locale,
            "currency": c.currency,
        },
        event.version,
    )
    if not stored:
        return  # a newer version is already known
    lines = [
        PricedLine(
            f"{ln.product_name} ({ln.sku}) · {ln.item.manufacturer_no} {ln.item.model} "
            f"S/N {ln.item.serial_no}",
            ln.annual_price,
        )
        for ln in c.lines
    ]
    # The contract's end_date is its last covered day; the schedule's end is exclusive.
    periods = schedule(c.start_date, c.end_date + timedelta(days=1), c.billing_interval_months, lines)
    await ContractRepo(tx.conn).add_schedule(c.contract_id, c.currency, periods)


@dataclass(frozen=True)
class RunResult:
    run_id: uuid.UUID
    run_key: str
    as_of: date
    invoices_created: int
    finished: bool


async def run_billing(pool: asyncpg.Pool, as_of: date, run_key: str, terms_days: int) -> RunResult:
    """Invoice every period due by `as_of`. A finished run with the same key creates nothing new;
    an unfinished one (crashed) resumes. Periods are claimed with SKIP LOCKED, so replicas share work."""
    async with unit_of_work(pool, "billing") as tx:
        run = await RunRepo(tx.conn).start(uuid.uuid4(), run_key, as_of)
    if run["finished_at"] is None:
        while await _bill_chunk(pool, run["run_id"], run["as_of"], terms_days):
            pass
        async with unit_of_work(pool, "billing") as tx:
            await RunRepo(tx.conn).finish(run["run_id"])
    async with pool.acquire() as conn:
        run = await RunRepo(conn).get(run_key)
    return RunResult(
        run["run_id"], run_key, run["as_of"], run["invoices_created"], run["finished_at"] is not None
    )


async def _bill_chunk(pool: asyncpg.Pool, run_id: uuid.UUID, as_of: date, terms_days: int) -> int:
    async with unit_of_work(pool, "billing") as tx:
        repo = InvoiceRepo(tx.conn)
        due = await repo.due_periods(as_of, CHUNK)
        if not due:
            return 0
        numbers = await repo.reserve_numbers(str(as_of.year), len(due))
        for period, n in zip(due, numbers, strict=True):
            await repo.add(
                _invoice(period, invoice_number(as_of.year, n), run_id, as_of, terms_days), period["lines"]
            )
        await RunRepo(tx.conn).add_invoices(run_id, len(due))
        return len(due)


def _invoice(p: asyncpg.Record, number: str, run_id: uuid.UUID, issue: date, terms: int) -> dict[str, Any]:
    return {
        "invoice_id": uuid.uuid4(),
        "invoice_no": number,
        "contract_id": p["contract_id"],
        "contract_no": p["contract_no"],
        "customer_id": p["customer_id"],
        "customer_name": p["customer_name"],
        "customer_email": p["customer_email"],
        "locale": p["locale"],
        "currency": p["currency"],
        "issue_date": issue,
        "due_date": due_date(issue, terms),
        "period_start": p["period_start"],
        "period_end": p["period_end"],
        "total": p["amount"],
        "status": "issued",
        "run_id": run_id,
        "correlation_id": current_correlation_id(),
    }


async def issue_pdfs(pool: asyncpg.Pool, renderer: PdfRenderer, seller: dict[str, str], limit: int) -> int:
    """Render PDFs of new invoices; each is stored with its invoice.generated event in one commit."""
    async with unit_of_work(pool, "billing") as tx:
        repo = InvoiceRepo(tx.conn)
        ids = await repo.unrendered(limit)
        for invoice_id in ids:
            inv = await repo.get(invoice_id)
            bind_correlation_id(inv["correlation_id"])  # the billing run's, carried to its events
            pdf = await renderer.render(inv, seller)
            digest = hashlib.sha256(pdf).hexdigest()
            await repo.attach_pdf(invoice_id, pdf, digest)
            await tx.emit(INVOICE_GENERATED, inv["contract_id"], _generated(inv, digest))
        return len(ids)


def _generated(inv: dict[str, Any], digest: str) -> InvoiceGenerated:
    return InvoiceGenerated(
        invoice_id=inv["invoice_id"],
        invoice_no=inv["invoice_no"],
        contract_id=inv["contract_id"],
        customer_id=inv["customer_id"],
        customer_name=inv["customer_name"],
        customer_email=inv["customer_email"],
        locale=inv["locale"],
        currency=inv["currency"],
        issue_date=inv["issue_date"],
        due_date=inv["due_date"],
        period_start=inv["period_start"],
        period_end=inv["period_end"],
        total=inv["total"],
        lines=[
            InvoiceLineData(
                description=ln["description"],
                period_start=ln["period_start"],
                period_end=ln["period_end"],
                amount=Decimal(ln["amount"]),
            )
            for ln in inv["lines"]
        ],
        pdf_path=f"/invoices/{inv['invoice_id']}/pdf",
        pdf_sha256=digest,
    )
