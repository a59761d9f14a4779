"""PDF issuing with fakes: one invoice.generated per invoice, and a failing render holds up no other."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import date

from billing.unit.fakes import FakeBillingDb, FakePdfRenderer
from billing.unit.samples import contracts, run

from avtal_billing.domain.commands import IssuePdfs
from avtal_billing.domain.invoices import Seller
from avtal_billing.handlers.billing_runs import run_billing
from avtal_billing.handlers.invoices import issue_pdfs
from avtal_common.payloads.billing import InvoiceGenerated
from avtal_common.topics import INVOICE_GENERATED

SELLER = Seller("Avtal Demo AB", "Storgatan 1", "SE556000000001")
ISSUE = IssuePdfs(limit=10, lease_s=300)


async def _billed(count: int) -> FakeBillingDb:
    db = FakeBillingDb()
    await contracts(db, count)
    await run_billing(db.uow, run())
    return db


def _announced(db: FakeBillingDb) -> list[InvoiceGenerated]:
    events = [e for e in db.outbox.events if e.topic == INVOICE_GENERATED]
    return [e.data for e in events if isinstance(e.data, InvoiceGenerated)]


async def test_every_invoice_is_announced_once_even_when_issued_twice() -> None:
    db = await _billed(3)
    renderer = FakePdfRenderer()

    issued = [await issue_pdfs(db.uow, renderer, SELLER, ISSUE) for _ in range(2)]

    assert issued == [3, 0]
    assert sorted(e.invoice_id for e in _announced(db)) == sorted(i.invoice_id for i in db.state.invoices)
    assert set(db.state.pdfs) == {i.invoice_id for i in db.state.invoices}


async def test_two_issuers_rendering_the_same_invoice_announce_it_once() -> None:
    db = await _billed(2)
    renderer = FakePdfRenderer()
    renderer.gate = asyncio.Event()
    first = asyncio.create_task(issue_pdfs(db.uow, renderer, SELLER, ISSUE))
    await asyncio.sleep(0)  # the first issuer has leased both invoices and waits in the renderer
    db.now += ISSUE.lease_s + 1  # its lease runs out: a second issuer takes the invoices over
    second = asyncio.create_task(issue_pdfs(db.uow, renderer, SELLER, ISSUE))
    await asyncio.sleep(0)

    renderer.gate.set()
    assert await asyncio.gather(first, second) == [2, 2]

    assert len(renderer.rendered) == 4, "both issuers rendered both invoices"
    assert sorted(e.invoice_id for e in _announced(db)) == sorted(i.invoice_id for i in db.state.invoices)


async def test_a_render_failure_is_recorded_and_the_next_invoices_are_still_issued() -> None:
    db = await _billed(3)
    broken, *fine = db.state.invoices
    renderer = FakePdfRenderer()
    renderer.broken.add(broken.invoice_id)

    await issue_pdfs(db.uow, renderer, SELLER, ISSUE)

    assert sorted(e.invoice_id for e in _announced(db)) == sorted(i.invoice_id for i in fine)
    failed = await db.uow().invoices.get(broken.invoice_id)
    assert failed.pdf_attempts == 1 and "cannot lay out" in (failed.pdf_error or "")
    assert await issue_pdfs(db.uow, renderer, SELLER, ISSUE) == 0, "a failed render waits before a retry"

    renderer.broken.clear()
    db.now += 30
    assert await issue_pdfs(db.uow, renderer, SELLER, ISSUE) == 1
    assert broken.invoice_id in {e.invoice_id for e in _announced(db)}
    assert (await db.uow().invoices.get(broken.invoice_id)).pdf_error is None


async def test_the_event_carries_the_pdf_hash_a_path_on_billing_and_the_invoice_lines() -> None:
    db = await _billed(1)
    [inv] = db.state.invoices

    await issue_pdfs(db.uow, FakePdfRenderer(), SELLER, ISSUE)

    [event] = _announced(db)
    assert event.pdf_sha256 == hashlib.sha256(db.state.pdfs[inv.invoice_id]).hexdigest()
    assert event.pdf_path == f"/invoices/{inv.invoice_id}/pdf"
    assert (event.invoice_no, event.total, [ln.amount for ln in event.lines]) == (
        inv.invoice_no,
        1500,  # 1200 net and 25% VAT (the sample buyer's rate)
        [1200],
    )


async def test_each_invoice_generated_event_is_about_its_own_invoice_at_its_first_version() -> None:
    db = FakeBillingDb()
    await contracts(db, 1, end=date(2027, 12, 31))  # two yearly periods: two runs, two invoices
    await run_billing(db.uow, run("run-1", as_of=date(2026, 1, 15)))
    await run_billing(db.uow, run("run-2", as_of=date(2027, 1, 15)))
    await issue_pdfs(db.uow, FakePdfRenderer(), SELLER, ISSUE)

    events = [e for e in db.outbox.events if e.topic == INVOICE_GENERATED]
    invoices = [e.data for e in events if isinstance(e.data, InvoiceGenerated)]
    assert len(invoices) == 2 and invoices[0].contract_id == invoices[1].contract_id
    assert [e.aggregate_id for e in events] == [str(i.invoice_id) for i in invoices]
    assert [e.version for e in events] == [1, 1]
