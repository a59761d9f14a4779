"""In-memory billing store, unit of work and PDF renderer: the handlers cannot tell them from the real ones.

Every unit of work made by `FakeBillingDb.uow` shares one `FakeBillingDb` (as connections share a
database), so a billing run that opens one unit per chunk sees what the earlier ones committed.
"""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from avtal_billing.domain.adjustments import Billed, LineKey
from avtal_billing.domain.contracts import Buyer, Contract, is_newer
from avtal_billing.domain.invoices import DuePeriod, Invoice, InvoiceRefused, Seller
from avtal_billing.domain.runs import BillingRun, PeriodFailure, RunFailure
from avtal_billing.domain.schedules import Period, PeriodLine, ScheduledPeriod
from avtal_common.errors import NotFound
from avtal_testing.fakes import FakeInbox, FakeOutbox, FakeUnitOfWork


@dataclass
class _Period:
    start: date
    end: date  # inclusive, as stored
    currency: str
    lines: tuple[PeriodLine, ...]
    invoice_id: uuid.UUID | None = None
    bill_on: date | None = None


@dataclass
class _Run:
    run_id: uuid.UUID
    run_key: str
    as_of: date
    invoices_created: int = 0
    rounds: int = 1
    finished: bool = False
    per: str = "customer"


@dataclass
class _Failure:
    reason: str
    round: int
    attempts: int = 1
    failed_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class BillingState:
    """What the billing database holds; copied whole for a rollback."""

    contracts: dict[uuid.UUID, Contract] = field(default_factory=dict)
    customers: dict[uuid.UUID, tuple[datetime, Buyer]] = field(default_factory=dict)
    periods: dict[tuple[uuid.UUID, date], _Period] = field(default_factory=dict)
    invoices: list[Invoice] = field(default_factory=list)
    pdfs: dict[uuid.UUID, bytes] = field(default_factory=dict)
    not_before: dict[uuid.UUID, float] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    runs: dict[str, _Run] = field(default_factory=dict)
    failures: dict[tuple[uuid.UUID, uuid.UUID, date], _Failure] = field(default_factory=dict)


class FakeBillingDb:
    """One fake database: its state, the outbox and inbox tables, a clock, and the faults to inject."""

    def __init__(self) -> None:
        self.state = BillingState()
        self.outbox, self.inbox = FakeOutbox(), FakeInbox()
        self.now = 0.0  # seconds, advanced by the tests (leases and render back-off)
        self.refuse: dict[uuid.UUID, str] = {}  # contract id → why the store refuses its invoices
        self.contract_writes = 0  # calls of ContractRepo.apply: a handler run, even one changing nothing

    def uow(self) -> FakeBillingUnitOfWork:
        return FakeBillingUnitOfWork(self)

    def invoices_of(self, contract_id: uuid.UUID) -> list[Invoice]:
        return [i for i in self.state.invoices if i.contract_id == contract_id]


class FakeContractRepo:
    def __init__(self, db: FakeBillingDb) -> None:
        self._db = db

    async def apply(self, c: Contract, state: dict[str, Any] | None = None) -> bool:
        s = self._db.state
        self._db.contract_writes += 1
        if not is_newer(c, s.contracts.get(c.contract_id)):
            return False
        s.contracts[c.contract_id] = c
        return True

    async def price_notices(self, contract_ids: list[Any], after: date) -> dict[Any, list[dict[str, str]]]:
        return {}


class FakeCustomerRepo:
    def __init__(self, db: FakeBillingDb) -> None:
        self._db = db

    async def seen(self, b: Buyer, at: datetime) -> None:
        known = self._db.state.customers.get(b.customer_id)
        if known is None or known[0] < at:
            self._db.state.customers[b.customer_id] = (at, b)


class FakeScheduleRepo:
    def __init__(self, db: FakeBillingDb) -> None:
        self._db = db

    async def for_update(self, contract_id: uuid.UUID) -> list[ScheduledPeriod]:
        return [
            ScheduledPeriod(
                p.start, p.end, sum((ln.amount for ln in p.lines), Decimal()), p.currency, p.invoice_id
            )
            for (cid, _), p in sorted(self._db.state.periods.items())
            if cid == contract_id
        ]

    async def replace_unbilled(
        self,
        contract_id: uuid.UUID,
        currency: str,
        periods: list[Period],
        timing: str = "advance",
        customer_id: uuid.UUID | None = None,
    ) -> None:
        s, starts = self._db.state, {p.start for p in periods}
        dropped = {
            k
            for k, p in s.periods.items()
            if k[0] == contract_id and p.invoice_id is None and k[1] not in starts
        }
        s.periods = {k: p for k, p in s.periods.items() if k not in dropped}
        s.failures = {k: f for k, f in s.failures.items() if (k[1], k[2]) not in dropped}
        for p in periods:
            known = s.periods.get((contract_id, p.start))
            if known is None or known.invoice_id is None:
                s.periods[(contract_id, p.start)] = _Period(
                    p.start, p.end - timedelta(days=1), currency, p.lines, None, p.bill_on or p.start
                )

    async def of_contract(self, contract_id: uuid.UUID) -> list[ScheduledPeriod]:
        found = await self.for_update(contract_id)
        if not found:
            raise NotFound(f"billing has no schedule for contract {contract_id} (yet)")
        return found

    async def due(
        self, run_id: uuid.UUID, as_of: date, per: str, after: uuid.UUID | None, limit: int
    ) -> tuple[list[DuePeriod], uuid.UUID | None]:
        s = self._db.state
        keys = [k for k in sorted(s.periods) if self._is_due(run_id, as_of, k)]
        group = {k: s.contracts[k[0]].customer_id if per == "customer" else k[0] for k in keys}
        taken = sorted({g for g in group.values() if after is None or g > after})[:limit]
        if not taken:
            return [], None
        return self._due([k for k in keys if group[k] in taken]), taken[-1]

    async def any_due(self, run_id: uuid.UUID, as_of: date) -> bool:
        return any(self._is_due(run_id, as_of, k) for k in self._db.state.periods)

    def _is_due(self, run_id: uuid.UUID, as_of: date, k: tuple[uuid.UUID, date]) -> bool:
        s, p = self._db.state, self._db.state.periods[k]
        return p.invoice_id is None and (p.bill_on or k[1]) <= as_of and (run_id, *k) not in s.failures

    async def due_of_contract(self, contract_id: uuid.UUID, as_of: date) -> list[DuePeriod]:
        s = self._db.state
        keys = [
            (cid, start)
            for (cid, start), p in s.periods.items()
            if cid == contract_id and p.invoice_id is None and start <= as_of
        ]
        return self._due(sorted(keys, key=lambda k: k[1]))

    async def failed(self, run_id: uuid.UUID, before_round: int, limit: int) -> list[DuePeriod]:
        s = self._db.state
        keys = [
            (cid, start)
            for (rid, cid, start), f in s.failures.items()
            if rid == run_id and f.round < before_round and s.periods[(cid, start)].invoice_id is None
        ]
        return self._due(sorted(keys, key=lambda k: (k[1], k[0]))[:limit])

    def _due(self, keys: list[tuple[uuid.UUID, date]]) -> list[DuePeriod]:
        s = self._db.state
        return [
            DuePeriod(
                replace(s.contracts[cid], currency=s.periods[(cid, start)].currency),
                start,
                s.periods[(cid, start)].end,
                s.periods[(cid, start)].lines,
            )
            for cid, start in keys
        ]


class FakeInvoiceRepo:
    def __init__(self, db: FakeBillingDb) -> None:
        self._db = db

    async def reserve_numbers(self, series: str, count: int) -> int:
        s = self._db.state
        s.sequences[series] = s.sequences.get(series, 0) + count
        return s.sequences[series] - count + 1

    async def release_numbers(self, series: str, count: int) -> None:
        self._db.state.sequences[series] -= count

    async def add_all(self, invoices: list[Invoice]) -> None:
        """Like the real store, all or nothing: one refused invoice refuses the whole call."""
        for inv in invoices:
            for cid in {ln.contract_id for ln in inv.lines} & set(self._db.refuse):
                raise InvoiceRefused(self._db.refuse[cid])
        s = self._db.state
        for inv in invoices:
            s.invoices.append(inv)
            for ln in inv.lines:
                if inv.kind == "invoice" and ln.contract_id and ln.billing_period_start:
                    s.periods[(ln.contract_id, ln.billing_period_start)].invoice_id = inv.invoice_id

    async def billed_lines(self, contract_id: uuid.UUID) -> dict[LineKey, Billed]:
        out: dict[LineKey, Billed] = {}
        for inv in self._db.state.invoices:
            for ln in inv.lines:
                if ln.contract_id == contract_id and ln.billing_period_start is not None:
                    key = (ln.billing_period_start, ln.line_id)
                    known = out.get(key)
                    total = ln.amount + (known.amount if known else Decimal("0.00"))
                    out[key] = Billed(total, ln.description, ln.serials, ln.vat_rate)
        return out

    async def get(self, invoice_id: uuid.UUID) -> Invoice:
        found = await self.get_many([invoice_id])
        if not found:
            raise NotFound(f"invoice {invoice_id} does not exist")
        return found[0]

    async def get_many(self, invoice_ids: list[uuid.UUID]) -> list[Invoice]:
        return [i for i in self._db.state.invoices if i.invoice_id in invoice_ids]

    async def search(
        self, customer_id: uuid.UUID | None, contract_id: uuid.UUID | None, limit: int, offset: int
    ) -> tuple[list[Invoice], int]:
        found = [
            replace(i, lines=())
            for i in self._db.state.invoices
            if customer_id in (None, i.customer_id) and contract_id in (None, i.contract_id)
        ]
        found.sort(key=lambda i: (i.issue_date, i.invoice_no), reverse=True)
        return found[offset : offset + limit], len(found)

    async def pdf(self, invoice_id: uuid.UUID) -> bytes:
        if invoice_id not in self._db.state.pdfs:
            raise NotFound(f"the PDF of invoice {invoice_id} does not exist (yet)")
        return self._db.state.pdfs[invoice_id]

    async def claim_unrendered(self, limit: int, lease_s: float) -> list[Invoice]:
        s, now = self._db.state, self._db.now
        claimed = [
            i for i in s.invoices if i.invoice_id not in s.pdfs and s.not_before.get(i.invoice_id, now) <= now
        ][:limit]
        for inv in claimed:
            s.not_before[inv.invoice_id] = now + lease_s
            self._update(replace(inv, pdf_attempts=inv.pdf_attempts + 1))
        return await self.get_many([i.invoice_id for i in claimed])

    async def attach_pdf(self, invoice_id: uuid.UUID, pdf: bytes, sha256: str) -> bool:
        s = self._db.state
        if invoice_id in s.pdfs:
            return False
        s.pdfs[invoice_id] = pdf
        self._update(replace(await self.get(invoice_id), pdf_sha256=sha256, pdf_error=None))
        return True

    async def record_render_failure(self, invoice_id: uuid.UUID, error: str, retry_after_s: float) -> None:
        self._db.state.not_before[invoice_id] = self._db.now + retry_after_s
        self._update(replace(await self.get(invoice_id), pdf_error=error))

    def _update(self, inv: Invoice) -> None:
        s = self._db.state
        s.invoices = [inv if i.invoice_id == inv.invoice_id else i for i in s.invoices]


class FakeRunRepo:
    def __init__(self, db: FakeBillingDb) -> None:
        self._db = db

    async def start(self, run_id: uuid.UUID, run_key: str, as_of: date, per: str = "customer") -> BillingRun:
        runs = self._db.state.runs
        if run_key in runs:
            runs[run_key].rounds += 1
        else:
            runs[run_key] = _Run(run_id, run_key, as_of, per=per)
        return self._out(runs[run_key])

    async def unfinished(self) -> list[BillingRun]:
        return [self._out(r) for r in self._db.state.runs.values() if not r.finished]

    def _out(self, r: _Run) -> BillingRun:
        return BillingRun(
            r.run_id, r.run_key, r.as_of, r.invoices_created, r.rounds, r.finished, invoice_per=r.per
        )

    async def get(self, run_key: str, failures_listed: int = 1000) -> BillingRun:
        s = self._db.state
        if run_key not in s.runs:
            raise NotFound(f"billing run {run_key!r} does not exist")
        r = s.runs[run_key]
        open_ = [
            RunFailure(cid, start, f.reason, f.attempts, f.failed_at)
            for (rid, cid, start), f in sorted(s.failures.items(), key=lambda kv: (kv[0][2], kv[0][1]))
            if rid == r.run_id and s.periods[(cid, start)].invoice_id is None
        ]
        return BillingRun(
            r.run_id, r.run_key, r.as_of, r.invoices_created, r.rounds, r.finished,
            tuple(open_[:failures_listed]), len(open_), r.per,
        )  # fmt: skip

    async def add_invoices(self, run_id: uuid.UUID, count: int) -> None:
        self._run(run_id).invoices_created += count

    async def record_failures(self, run_id: uuid.UUID, round_no: int, failures: list[PeriodFailure]) -> None:
        for f in failures:
            key = (run_id, f.contract_id, f.period_start)
            known = self._db.state.failures.get(key)
            attempts = known.attempts + 1 if known else 1
            self._db.state.failures[key] = _Failure(f.reason, round_no, attempts)

    async def finish(self, run_id: uuid.UUID) -> None:
        self._run(run_id).finished = True

    def _run(self, run_id: uuid.UUID) -> _Run:
        return next(r for r in self._db.state.runs.values() if r.run_id == run_id)


class FakeBillingUnitOfWork(FakeUnitOfWork):
    producer = "billing"

    def __init__(self, db: FakeBillingDb | None = None) -> None:
        self.db = db or FakeBillingDb()
        super().__init__()
        self.outbox, self.inbox = self.db.outbox, self.db.inbox

    def bind_repositories(self) -> None:
        self.contracts = FakeContractRepo(self.db)
        self.customers = FakeCustomerRepo(self.db)
        self.schedules = FakeScheduleRepo(self.db)
        self.invoices = FakeInvoiceRepo(self.db)
        self.runs = FakeRunRepo(self.db)

    def snapshot(self) -> Any:
        return copy.deepcopy(self.db.state)

    def restore(self, state: Any) -> None:
        self.db.state = state

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        saved = (list(self.outbox.events), self.snapshot())
        try:
            yield
        except InvoiceRefused:
            self.outbox.events[:], self.db.state = saved
            raise


class FakePdfRenderer:
    """Renders a tiny fake PDF naming the invoice; refuses the invoices in `broken`; can be held at a gate."""

    def __init__(self) -> None:
        self.broken: set[uuid.UUID] = set()
        self.rendered: list[uuid.UUID] = []
        self.gate: asyncio.Event | None = None

    async def render(self, invoice: Invoice, seller: Seller) -> bytes:
        if self.gate is not None:
            await self.gate.wait()
        if invoice.invoice_id in self.broken:
            raise ValueError(f"cannot lay out invoice {invoice.invoice_no}")
        self.rendered.append(invoice.invoice_id)
        return f"%PDF-fake {invoice.invoice_no} {seller.name}".encode()
