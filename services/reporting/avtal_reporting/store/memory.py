"""The read models in memory, for a rebuild: the live handlers fold every event into this store as they
would into PostgreSQL (same once-per-id and newest-version rules), and `flush` then writes every table at
once with COPY. What the SQL store keeps up to date event by event (settled days, lateness, MRR series
and month totals, scheduled sums) is computed here once, from the same domain functions."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Self

import asyncpg

from avtal_reporting.domain.contracts import ContractFact, schedule
from avtal_reporting.domain.figures import MOVES, contributions, series
from avtal_reporting.domain.revenue import InvoiceFact

ZERO = Decimal(0)


@dataclass
class Memory:
    """Everything a replay folds, keyed as the tables are."""

    contracts: dict[uuid.UUID, ContractFact] = field(default_factory=dict)
    names: dict[uuid.UUID, tuple[int, str]] = field(default_factory=dict)
    vendors: dict[uuid.UUID, str | None] = field(default_factory=dict)
    steps: dict[tuple[uuid.UUID, str], date] = field(default_factory=dict)
    documents: dict[uuid.UUID, tuple[Any, ...]] = field(default_factory=dict)
    lines: list[tuple[Any, ...]] = field(default_factory=list)
    through: dict[uuid.UUID, date] = field(default_factory=dict)
    recognition: dict[tuple[str, date, date], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    month_totals: dict[tuple[str, date], list[Decimal]] = field(default_factory=dict)
    revenue: dict[tuple[date, str], list[Any]] = field(default_factory=dict)
    entries: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    collections: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    claims: dict[tuple[uuid.UUID, str], str] = field(default_factory=dict)


class MemoryInbox:
    def __init__(self, m: Memory) -> None:
        self._m = m

    async def claim(self, event_id: uuid.UUID, handler: str, topic: str) -> bool:
        if (event_id, handler) in self._m.claims:
            return False
        self._m.claims[(event_id, handler)] = topic
        return True


class MemoryRevenue:
    def __init__(self, m: Memory) -> None:
        self._m = m

    async def add(self, f: InvoiceFact) -> None:
        row = self._m.revenue.setdefault((f.month, f.currency), [ZERO, 0])
        row[0] += f.total
        row[1] += 1


class MemoryFacts:
    """FactsRepo's methods, in memory."""

    def __init__(self, m: Memory) -> None:
        self._m = m

    async def bump(self) -> None:
        """Nothing to wake during a rebuild: the version moves once, when it is written."""

    async def keep_contract(self, c: ContractFact) -> bool:
        known = self._m.contracts.get(c.contract_id)
        if known is not None and known.version >= c.version:
            return False
        self._m.contracts[c.contract_id] = c
        await self.name_customer(c.customer_id, 0, c.customer_name)
        return True

    async def name_customer(self, customer_id: uuid.UUID, version: int, name: str) -> None:
        known = self._m.names.get(customer_id)
        if known is None or known[0] < version or not known[1]:
            self._m.names[customer_id] = (max(version, known[0] if known else version), name)

    async def product_vendor(self, product_id: uuid.UUID, vendor: str | None) -> None:
        self._m.vendors[product_id] = vendor

    async def renewal_step(self, contract_id: uuid.UUID, step: str, on: date) -> None:
        self._m.steps.setdefault((contract_id, step), on)

    async def add_document(self, invoice_id: uuid.UUID, *fields: Any) -> bool:
        if invoice_id in self._m.documents:
            return False
        self._m.documents[invoice_id] = fields
        return True

    async def add_lines(
        self,
        invoice_id: uuid.UUID,
        customer_id: uuid.UUID,
        currency: str,
        issue_date: date,
        lines: Sequence[tuple[uuid.UUID | None, date | None, date | None, Decimal]],
    ) -> None:
        for n, (c, s, e, a) in enumerate(lines, 1):
            self._m.lines.append((invoice_id, n, customer_id, c, currency, issue_date, s, e, a))
            if c is not None and e is not None:
                self._m.through[c] = max(self._m.through.get(c, e), e)

    async def recognize(self, currency: str, issue_month: date, months: dict[date, Decimal]) -> None:
        for m, a in months.items():
            self._m.recognition[(currency, issue_month, m)] += a

    async def add_to_month(
        self, currency: str, month: date, sales_gross: Decimal, collected: Decimal
    ) -> None:
        row = self._m.month_totals.setdefault((currency, month), [ZERO, ZERO])
        row[0] += sales_gross
        row[1] += collected

    async def add_entry(self, entry_id: str, *fields: Any) -> bool:
        if entry_id in self._m.entries:
            return False
        self._m.entries[entry_id] = fields
        return True

    async def add_collection(self, payment_id: str, *fields: Any) -> bool:
        if payment_id in self._m.collections:
            return False
        self._m.collections[payment_id] = fields
        return True

    async def settle(self, invoice_id: uuid.UUID) -> None:
        """Computed once, in `flush`."""


class MemoryUnitOfWork:
    """What the handlers see during a rebuild: the store above; entering and leaving it does nothing."""

    def __init__(self, m: Memory) -> None:
        self.memory = m
        self.inbox = MemoryInbox(m)
        self.revenue = MemoryRevenue(m)
        self.facts = MemoryFacts(m)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


def _settled(gross: Decimal, entries: list[tuple[date, str, Decimal]]) -> date | None:
    cum = ZERO
    for on, _id, amount in sorted(entries):
        cum += amount
        if cum >= gross:
            return on
    return None


def _invoices(m: Memory, rows: dict[str, list[tuple[Any, ...]]]) -> dict[uuid.UUID, int | None]:
    """invoice_facts with settled days and running totals, customers with M13; returns rounded lateness."""
    by_invoice: dict[uuid.UUID, list[tuple[date, str, Decimal]]] = defaultdict(list)
    for entry_id, (invoice_id, _customer, _currency, on, amount, _kind) in m.entries.items():
        by_invoice[invoice_id].append((on, entry_id, amount))
    facts, paid_by_customer = [], defaultdict(list)
    customers: dict[uuid.UUID, list[Any]] = {c: [v, n, ZERO, ZERO, None] for c, (v, n) in m.names.items()}
    for invoice_id, f in m.documents.items():
        no, customer, contract, issued, due, currency, net, gross, kind, credits = f
        settled, total, last = None, ZERO, None
        if kind == "invoice":
            customers.setdefault(customer, [0, "", ZERO, ZERO, None])
            es = by_invoice.get(invoice_id, [])
            settled, total = _settled(gross, es), sum((e[2] for e in es), ZERO)
            last = max((e[0] for e in es), default=None)
            if settled is not None:
                paid_by_customer[customer].append((settled, invoice_id, due, gross))
        facts.append((invoice_id, no, customer, contract, issued, currency, net, kind, due, gross, credits,
                      settled, total, last))  # fmt: skip
    for customer, paid in paid_by_customer.items():
        last12 = sorted(paid, key=lambda p: (p[0], p[1]), reverse=True)[:12]
        w = sum(((s - due).days * gross for s, _i, due, gross in last12), ZERO)
        a = sum((gross for *_, gross in last12), ZERO)
        row = customers[customer]
        row[2], row[3] = w, a
        row[4] = int((w / a).to_integral_value(ROUND_HALF_UP)) if a > 0 else None
    rows["invoice_facts"] = facts
    rows["customers"] = [(c, *r) for c, r in customers.items()]
    return {c: r[4] for c, r in customers.items()}


def _contracts(m: Memory, late: dict[uuid.UUID, int | None], rows: dict[str, list[tuple[Any, ...]]]) -> None:
    """contracts, their lines' MRR (per line, per customer and month, month totals) and schedules."""
    contracts, mrr_lines, scheduled = [], [], []
    lines_of: dict[tuple[uuid.UUID, str], list[tuple[date, date, Decimal]]] = defaultdict(list)
    sums: dict[tuple[str, date, int | None], Decimal] = defaultdict(Decimal)
    for c in m.contracts.values():
        contracts.append((c.contract_id, c.version, c.contract_no, c.customer_id, c.currency, c.status,
                          c.start_date, c.end_date, c.interval_months, c.timing, c.auto_renew, c.notice_days,
                          c.terms_days, c.annual_value, c.renewal_months, c.renewal_gross, c.terminated_on,
                          c.renewed_to))  # fmt: skip
        for x in c.mrr_lines:
            mrr_lines.append((x.contract_id, x.line_id, x.customer_id, x.currency, x.product_id, x.start_date,
                              x.end_date, x.mrr))  # fmt: skip
            lines_of[(x.customer_id, x.currency)].append((x.start_date, x.end_date, x.mrr))
        through = m.through.get(c.contract_id)
        for s in schedule(c):
            if through is None or s.period_start > through:
                scheduled.append((c.contract_id, s.period_start, s.period_end, c.customer_id, c.currency,
                                  s.due_on, s.gross))  # fmt: skip
                sums[(c.currency, s.due_on, late.get(c.customer_id))] += s.gross
    customer_mrr: list[tuple[Any, ...]] = []
    months: dict[tuple[str, date], list[Decimal]] = defaultdict(lambda: [ZERO] * len(MOVES))
    for (customer, currency), ls in lines_of.items():
        s = series(ls)
        customer_mrr += [(currency, customer, mo, v) for mo, v in s.items()]
        for mo, contribution in contributions(s).items():
            total_row = months[(currency, mo)]
            for i, v in enumerate(contribution):
                total_row[i] += v
    rows["contracts"], rows["mrr_lines"], rows["scheduled"] = contracts, mrr_lines, scheduled
    rows["scheduled_sums"] = [(*k, v) for k, v in sums.items()]
    rows["customer_mrr"] = customer_mrr
    rows["mrr_months"] = [(cur, mo, *v) for (cur, mo), v in months.items()]


async def flush(m: Memory, conn: asyncpg.Connection) -> dict[str, int]:
    """Write every read model (the tables are empty) and the inbox claims; returns rows per table."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    _contracts(m, _invoices(m, rows), rows)
    rows["invoice_lines"] = m.lines
    rows["invoiced_through"] = list(m.through.items())
    rows["recognition"] = [(*k, v) for k, v in m.recognition.items()]
    rows["month_totals"] = [(*k, *v) for k, v in m.month_totals.items()]
    rows["revenue_by_month"] = [(mo, cur, v[0], v[1]) for (mo, cur), v in m.revenue.items()]
    rows["ar_entries"] = [(k, *v) for k, v in m.entries.items()]
    rows["collections"] = [(k, *v) for k, v in m.collections.items()]
    rows["renewal_steps"] = [(c, step, on) for (c, step), on in m.steps.items()]
    rows["products"] = list(m.vendors.items())
    rows["inbox"] = [(event_id, handler, topic) for (event_id, handler), topic in m.claims.items()]
    for table, records in rows.items():
        if records:
            await conn.copy_records_to_table(table, records=records, columns=COLUMNS[table])
    return {t: len(r) for t, r in rows.items()}


COLUMNS: dict[str, list[str]] = {
    "invoice_facts": ["invoice_id", "invoice_no", "customer_id", "contract_id", "issue_date", "currency",
                      "total", "kind", "due_date", "gross", "credits_invoice_id", "settled_on",
                      "entries_total", "last_entry_on"],
    "customers": ["customer_id", "version", "name", "late_days_x_amount", "late_amount", "late_days"],
    "contracts": ["contract_id", "version", "contract_no", "customer_id", "currency", "status", "start_date",
                  "end_date", "interval_months", "timing", "auto_renew", "notice_days", "terms_days",
                  "annual_value", "renewal_months", "renewal_gross", "terminated_on", "renewed_to"],
    "mrr_lines": ["contract_id", "line_id", "customer_id", "currency", "product_id", "start_date", "end_date",
                  "mrr"],
    "scheduled": ["contract_id", "period_start", "period_end", "customer_id", "currency", "due_on", "gross"],
    "scheduled_sums": ["currency", "due_on", "late_days", "gross"],
    "customer_mrr": ["currency", "customer_id", "month", "mrr"],
    "mrr_months": ["currency", "month", *MOVES],
    "invoice_lines": ["invoice_id", "line_no", "customer_id", "contract_id", "currency", "issue_date",
                      "period_start", "period_end", "amount"],
    "invoiced_through": ["contract_id", "through"],
    "recognition": ["currency", "issue_month", "month", "amount"],
    "month_totals": ["currency", "month", "sales_gross", "collected"],
    "revenue_by_month": ["month", "currency", "invoiced", "invoices"],
    "ar_entries": ["entry_id", "invoice_id", "customer_id", "currency", "on_date", "amount", "kind"],
    "collections": ["payment_id", "customer_id", "currency", "paid_on", "applied", "credited"],
    "renewal_steps": ["contract_id", "step", "on_date"],
    "products": ["product_id", "vendor"],
    "inbox": ["event_id", "handler", "topic"],
}  # fmt: skip
