"""The write side of reporting's read models: each method folds one fact so that order and repetition
do not change the result (newest version wins; sums grow once per fact id)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import asyncpg

from avtal_common.errors import Unavailable
from avtal_reporting.domain.contracts import ContractFact, schedule
from avtal_reporting.domain.figures import contributions, delta, series

_UPSERT_CONTRACT = """
INSERT INTO contracts (contract_id, version, contract_no, customer_id, currency, status, start_date, end_date,
    interval_months, timing, auto_renew, notice_days, terms_days, annual_value, renewal_months,
    renewal_gross, terminated_on, renewed_to)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
ON CONFLICT (contract_id) DO UPDATE SET version = EXCLUDED.version, contract_no = EXCLUDED.contract_no,
    customer_id = EXCLUDED.customer_id, currency = EXCLUDED.currency, status = EXCLUDED.status,
    start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date,
    interval_months = EXCLUDED.interval_months, timing = EXCLUDED.timing, auto_renew = EXCLUDED.auto_renew,
    notice_days = EXCLUDED.notice_days, terms_days = EXCLUDED.terms_days,
    annual_value = EXCLUDED.annual_value, renewal_months = EXCLUDED.renewal_months,
    renewal_gross = EXCLUDED.renewal_gross, terminated_on = EXCLUDED.terminated_on,
    renewed_to = EXCLUDED.renewed_to
WHERE contracts.version < EXCLUDED.version
"""
_MRR_LINES = """
INSERT INTO mrr_lines (contract_id, line_id, customer_id, currency, product_id, start_date, end_date, mrr)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::char(3)[], $5::uuid[], $6::date[], $7::date[],
                     $8::numeric[])
ON CONFLICT DO NOTHING
"""
# One lock for the folds that many events move at once (the month totals of MRR, the scheduled sums):
# taken first in each transaction that touches them, so concurrent consumers never deadlock over them.
_FOLD_LOCK = "SELECT pg_advisory_xact_lock(7405001)"
_ADD_SUMS = """
INSERT INTO scheduled_sums (currency, due_on, late_days, gross)
SELECT g.currency, g.due_on, c.late_days, $1::int * sum(g.gross)
FROM {source} g LEFT JOIN customers c USING (customer_id)
GROUP BY 1, 2, 3
ON CONFLICT (currency, due_on, late_days) DO UPDATE SET gross = scheduled_sums.gross + EXCLUDED.gross
"""
_SCHEDULED = f"""
WITH added AS (
    INSERT INTO scheduled (contract_id, period_start, period_end, customer_id, currency, due_on, gross)
    SELECT $2, s, e, $3, $4, d, g
    FROM unnest($5::date[], $6::date[], $7::date[], $8::numeric[]) AS t(s, e, d, g)
    WHERE s > coalesce((SELECT through FROM invoiced_through WHERE contract_id = $2), '-infinity')
    RETURNING currency, due_on, customer_id, gross)
{_ADD_SUMS.format(source="added")}"""
_UNSCHEDULE = f"""
WITH gone AS (
    DELETE FROM scheduled s USING unnest($2::uuid[], $3::date[]) AS t(contract_id, through)
    WHERE s.contract_id = t.contract_id AND s.period_start <= t.through
    RETURNING s.currency, s.due_on, s.customer_id, s.gross)
{_ADD_SUMS.format(source="gone")}"""
_MOVE_LATE = """
INSERT INTO scheduled_sums (currency, due_on, late_days, gross)
SELECT currency, due_on, $2, $3::int * sum(gross) FROM scheduled WHERE customer_id = $1 GROUP BY 1, 2
ON CONFLICT (currency, due_on, late_days) DO UPDATE SET gross = scheduled_sums.gross + EXCLUDED.gross
"""
_CUSTOMER_LINES = "SELECT start_date, end_date, mrr FROM mrr_lines WHERE customer_id = $1 AND currency = $2"
_CUSTOMER_SERIES = "SELECT month, mrr FROM customer_mrr WHERE customer_id = $1 AND currency = $2"
_ADD_MONTHS = """
INSERT INTO mrr_months (currency, month, mrr, new, reactivation, expansion, contraction, churn, customers)
SELECT $1, * FROM unnest($2::date[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[],
                         $7::numeric[], $8::numeric[], $9::numeric[])
ON CONFLICT (currency, month) DO UPDATE SET mrr = mrr_months.mrr + EXCLUDED.mrr,
    new = mrr_months.new + EXCLUDED.new, reactivation = mrr_months.reactivation + EXCLUDED.reactivation,
    expansion = mrr_months.expansion + EXCLUDED.expansion,
    contraction = mrr_months.contraction + EXCLUDED.contraction, churn = mrr_months.churn + EXCLUDED.churn,
    customers = mrr_months.customers + EXCLUDED.customers
"""
_CUSTOMER_NAME = """
INSERT INTO customers (customer_id, version, name) VALUES ($1, $2, $3)
ON CONFLICT (customer_id) DO UPDATE SET version = EXCLUDED.version, name = EXCLUDED.name
WHERE customers.version < EXCLUDED.version OR customers.name = ''
"""
_PRODUCT = """
INSERT INTO products (product_id, vendor) VALUES ($1, $2)
ON CONFLICT (product_id) DO UPDATE SET vendor = EXCLUDED.vendor
"""
_STEP = "INSERT INTO renewal_steps (contract_id, step, on_date) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
_FACT = """
INSERT INTO invoice_facts (invoice_id, invoice_no, customer_id, contract_id, issue_date, currency, total,
    kind, due_date, gross, credits_invoice_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (invoice_id) DO NOTHING
"""
_LINES = """
INSERT INTO invoice_lines (invoice_id, line_no, customer_id, contract_id, currency, issue_date,
    period_start, period_end, amount)
SELECT $1, n, $2, c, $3, $4, s, e, a
FROM unnest($5::int[], $6::uuid[], $7::date[], $8::date[], $9::numeric[]) AS t(n, c, s, e, a)
"""
_THROUGH = """
INSERT INTO invoiced_through (contract_id, through) SELECT * FROM unnest($1::uuid[], $2::date[])
ON CONFLICT (contract_id) DO UPDATE SET through = greatest(invoiced_through.through, EXCLUDED.through)
"""
_RECOGNITION = """
INSERT INTO recognition (currency, issue_month, month, amount)
SELECT $1, $2, m, a FROM unnest($3::date[], $4::numeric[]) AS t(m, a)
ON CONFLICT (currency, issue_month, month) DO UPDATE SET amount = recognition.amount + EXCLUDED.amount
"""
_MONTH_TOTAL = """
INSERT INTO month_totals (currency, month, sales_gross, collected) VALUES ($1, $2, $3, $4)
ON CONFLICT (currency, month) DO UPDATE SET sales_gross = month_totals.sales_gross + EXCLUDED.sales_gross,
    collected = month_totals.collected + EXCLUDED.collected
"""
_ENTRY = """
INSERT INTO ar_entries (entry_id, invoice_id, customer_id, currency, on_date, amount, kind)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (entry_id) DO NOTHING
"""
_COLLECTION = """
INSERT INTO collections (payment_id, customer_id, currency, paid_on, applied, credited)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (payment_id) DO NOTHING
"""
# The day the invoice's payments and credits first reached its total (entries may come before it).
_SETTLE = """
WITH e AS (SELECT on_date, sum(amount) OVER (ORDER BY on_date, entry_id) AS cum
           FROM ar_entries WHERE invoice_id = $1)
UPDATE invoice_facts i SET settled_on = (SELECT min(on_date) FROM e WHERE cum >= i.gross),
    entries_total = coalesce((SELECT sum(amount) FROM ar_entries WHERE invoice_id = $1), 0),
    last_entry_on = (SELECT max(on_date) FROM ar_entries WHERE invoice_id = $1)
WHERE invoice_id = $1 AND kind = 'invoice'
RETURNING customer_id
"""
# M13's sums over the customer's last 12 paid invoices.
_LATENESS = """
INSERT INTO customers (customer_id, late_days_x_amount, late_amount)
SELECT $1, coalesce(sum((settled_on - due_date) * gross), 0), coalesce(sum(gross), 0)
FROM (SELECT settled_on, due_date, gross FROM invoice_facts
      WHERE customer_id = $1 AND kind = 'invoice' AND settled_on IS NOT NULL
      ORDER BY settled_on DESC, invoice_id DESC LIMIT 12) last12
ON CONFLICT (customer_id) DO UPDATE SET late_days_x_amount = EXCLUDED.late_days_x_amount,
    late_amount = EXCLUDED.late_amount
RETURNING (SELECT late_days FROM customers WHERE customer_id = $1) AS before,
    CASE WHEN late_amount > 0 THEN round(late_days_x_amount / late_amount)::int END AS after
"""


class FactsRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def bump(self) -> None:
        """One more applied event: open dashboards redraw. Every handler calls it before it writes: while
        a rebuild runs, the event waits (the consumer retries it as for an outage) and nothing is written."""
        if await self._conn.fetchval(
            "UPDATE read_model_version SET version = version + 1 RETURNING rebuilding"
        ):
            raise Unavailable("reporting's read models are being rebuilt: this event is applied after")

    async def keep_contract(self, c: ContractFact) -> bool:
        """Store `c` unless an equal or newer version is stored; its lines and schedule replace the old."""
        await self._conn.execute(_FOLD_LOCK)
        before = await self._conn.fetchrow(
            "SELECT customer_id, currency FROM contracts WHERE contract_id = $1", c.contract_id
        )
        stored = await self._conn.execute(
            _UPSERT_CONTRACT, c.contract_id, c.version, c.contract_no, c.customer_id, c.currency, c.status,
            c.start_date, c.end_date, c.interval_months, c.timing, c.auto_renew, c.notice_days, c.terms_days,
            c.annual_value, c.renewal_months, c.renewal_gross, c.terminated_on, c.renewed_to,
        )  # fmt: skip
        if not stored.endswith(" 1"):
            return False
        await self._conn.execute("DELETE FROM mrr_lines WHERE contract_id = $1", c.contract_id)
        await self._conn.execute(_UNSCHEDULE, -1, [c.contract_id], [date.max])
        ls = c.mrr_lines
        if ls:
            await self._conn.execute(
                _MRR_LINES, [x.contract_id for x in ls], [x.line_id for x in ls], [x.customer_id for x in ls],
                [x.currency for x in ls], [x.product_id for x in ls], [x.start_date for x in ls],
                [x.end_date for x in ls], [x.mrr for x in ls],
            )  # fmt: skip
        due = schedule(c)
        await self._conn.execute(_CUSTOMER_NAME, c.customer_id, 0, c.customer_name)
        if due:
            await self._conn.execute(
                _SCHEDULED, 1, c.contract_id, c.customer_id, c.currency, [s.period_start for s in due],
                [s.period_end for s in due], [s.due_on for s in due], [s.gross for s in due],
            )  # fmt: skip
        await self._refold_mrr(c.customer_id, c.currency)
        if before is not None and (before["customer_id"], before["currency"].strip()) != (
            c.customer_id,
            c.currency,
        ):
            await self._refold_mrr(before["customer_id"], before["currency"].strip())
        return True

    async def _refold_mrr(self, customer_id: uuid.UUID, currency: str) -> None:
        """Recompute the customer's MRR series from its lines and move the month totals by new − old."""
        lines = await self._conn.fetch(_CUSTOMER_LINES, customer_id, currency)
        new = series((r[0], r[1], r[2]) for r in lines)
        old = {r[0]: r[1] for r in await self._conn.fetch(_CUSTOMER_SERIES, customer_id, currency)}
        moved = delta(contributions(old), contributions(new))
        if not moved:
            return
        await self._conn.execute("DELETE FROM customer_mrr WHERE customer_id = $1 AND currency = $2",
                                 customer_id, currency)  # fmt: skip
        if new:
            await self._conn.executemany(
                "INSERT INTO customer_mrr (currency, customer_id, month, mrr) VALUES ($1, $2, $3, $4)",
                [(currency, customer_id, m, v) for m, v in new.items()],
            )
        months = sorted(moved)
        await self._conn.execute(
            _ADD_MONTHS, currency, months, *([moved[m][i] for m in months] for i in range(7))
        )

    async def name_customer(self, customer_id: uuid.UUID, version: int, name: str) -> None:
        await self._conn.execute(_CUSTOMER_NAME, customer_id, version, name)

    async def product_vendor(self, product_id: uuid.UUID, vendor: str | None) -> None:
        await self._conn.execute(_PRODUCT, product_id, vendor)

    async def renewal_step(self, contract_id: uuid.UUID, step: str, on: date) -> None:
        await self._conn.execute(_STEP, contract_id, step, on)

    async def add_document(
        self,
        invoice_id: uuid.UUID,
        invoice_no: str,
        customer_id: uuid.UUID,
        contract_id: uuid.UUID | None,
        issue_date: date,
        due_date: date,
        currency: str,
        net: Decimal,
        gross: Decimal,
        kind: str,
        credits_invoice_id: uuid.UUID | None,
    ) -> bool:
        """Keep an invoice or credit note once; False if it was kept before."""
        status = await self._conn.execute(
            _FACT, invoice_id, invoice_no, customer_id, contract_id, issue_date, currency, net, kind,
            due_date, gross, credits_invoice_id,
        )  # fmt: skip
        return bool(status.endswith(" 1"))

    async def add_lines(
        self,
        invoice_id: uuid.UUID,
        customer_id: uuid.UUID,
        currency: str,
        issue_date: date,
        lines: Sequence[tuple[uuid.UUID | None, date | None, date | None, Decimal]],
    ) -> None:
        await self._conn.execute(
            _LINES, invoice_id, customer_id, currency, issue_date, list(range(1, len(lines) + 1)),
            [ln[0] for ln in lines], [ln[1] for ln in lines], [ln[2] for ln in lines],
            [ln[3] for ln in lines],
        )  # fmt: skip
        through: dict[uuid.UUID, date] = {}
        for c, _s, e, _a in lines:
            if c is not None and e is not None:
                through[c] = max(through.get(c, e), e)
        if through:
            await self._conn.execute(_THROUGH, list(through), list(through.values()))
            await self._conn.execute(_FOLD_LOCK)
            await self._conn.execute(_UNSCHEDULE, -1, list(through), list(through.values()))

    async def recognize(self, currency: str, issue_month: date, months: dict[date, Decimal]) -> None:
        if months:
            await self._conn.execute(_RECOGNITION, currency, issue_month, list(months), list(months.values()))

    async def add_to_month(
        self, currency: str, month: date, sales_gross: Decimal, collected: Decimal
    ) -> None:
        await self._conn.execute(_MONTH_TOTAL, currency, month, sales_gross, collected)

    async def add_entry(
        self, entry_id: str, invoice_id: uuid.UUID, customer_id: uuid.UUID, currency: str, on: date,
        amount: Decimal, kind: str,
    ) -> bool:  # fmt: skip
        return bool((await self._conn.execute(_ENTRY, entry_id, invoice_id, customer_id, currency, on, amount,
                                              kind)).endswith(" 1"))  # fmt: skip

    async def add_collection(
        self, payment_id: str, customer_id: uuid.UUID, currency: str, paid_on: date, applied: Decimal,
        credited: Decimal,
    ) -> bool:  # fmt: skip
        status = await self._conn.execute(_COLLECTION, payment_id, customer_id, currency, paid_on, applied,
                                          credited)  # fmt: skip
        return bool(status.endswith(" 1"))

    async def settle(self, invoice_id: uuid.UUID) -> None:
        """Recompute when the invoice was settled, and its customer's payment behaviour."""
        customer = await self._conn.fetchval(_SETTLE, invoice_id)
        if customer is None:
            return
        await self._conn.execute(_FOLD_LOCK)
        late = await self._conn.fetchrow(_LATENESS, customer)
        if late["before"] != late["after"]:  # its scheduled invoices now come in on other days
            await self._conn.execute(_MOVE_LATE, customer, late["before"], -1)
            await self._conn.execute(_MOVE_LATE, customer, late["after"], 1)
            await self._conn.execute("UPDATE customers SET late_days = $2 WHERE customer_id = $1",
                                     customer, late["after"])  # fmt: skip
