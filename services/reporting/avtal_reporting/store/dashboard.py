"""The read side of the dashboards: each query answers one widget's raw figures for one currency."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg


@dataclass(frozen=True)
class Filters:
    currency: str
    customer_id: uuid.UUID | None = None
    product_id: uuid.UUID | None = None
    vendor: str | None = None


def _line_filters(f: Filters, args: list[Any], alias: str = "l") -> str:
    """WHERE fragments for mrr_lines by customer, product and vendor; appends their values to `args`."""
    sql = ""
    if f.customer_id is not None:
        args.append(f.customer_id)
        sql += f" AND {alias}.customer_id = ${len(args)}"
    if f.product_id is not None:
        args.append(f.product_id)
        sql += f" AND {alias}.product_id = ${len(args)}"
    if f.vendor:
        args.append(f.vendor)
        sql += f" AND {alias}.product_id IN (SELECT product_id FROM products WHERE vendor = ${len(args)})"
    return sql


def _customer_filter(f: Filters, args: list[Any], column: str = "customer_id") -> str:
    if f.customer_id is None:
        return ""
    args.append(f.customer_id)
    return f" AND {column} = ${len(args)}"


@dataclass(frozen=True)
class OpenGroup:
    due_date: date
    late_days: int | None  # the customers' rounded mean lateness (None: no history yet)
    open: Decimal  # invoices with something open
    invoices: int
    overcredited: Decimal  # invoices credited beyond what was open (negative)


@dataclass(frozen=True)
class RenewalContract:
    contract_id: uuid.UUID
    contract_no: str
    customer_id: uuid.UUID
    customer_name: str
    status: str
    end_date: date
    notice_days: int
    auto_renew: bool
    annual_value: Decimal
    renewal_gross: Decimal
    renewal_months: int
    interval_months: int
    timing: str
    terms_days: int
    renewed_to: uuid.UUID | None
    terminated_on: date | None
    steps: list[str]
    late_days: int | None = None


@dataclass(frozen=True)
class RenewalGroup:
    end_date: date
    interval_months: int
    timing: str
    terms_days: int
    renewal_months: int
    late_days: int | None
    p_class: int
    renewal_gross: Decimal


@dataclass(frozen=True)
class RetentionSums:
    start: Decimal
    churn: Decimal
    contraction: Decimal
    expansion: Decimal
    reactivation: Decimal
    had: int
    lost: int
    kept: Decimal  # Σ m1 over customers with m0 > 0
    kept_capped: Decimal  # Σ min(m1, m0) over them


class DashboardRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def version(self) -> tuple[int, bool]:
        row = await self._conn.fetchrow("SELECT version, rebuilding FROM read_model_version")
        return (int(row["version"]), bool(row["rebuilding"])) if row else (0, False)

    async def currencies(self) -> list[str]:
        rows = await self._conn.fetch(
            "SELECT currency FROM month_totals UNION SELECT currency FROM recognition "
            "UNION SELECT DISTINCT currency FROM contracts ORDER BY 1"
        )
        return [r[0].strip() for r in rows]

    async def mrr_by_customer_month(
        self, f: Filters, first: date, last: date
    ) -> list[tuple[uuid.UUID, date, Decimal]]:
        """MRR at the end of each month in [first, last] per customer (M2), from the lines active then."""
        args: list[Any] = [f.currency, first, last]
        sql = f"""
        WITH m AS (SELECT d::date AS month, (d + interval '1 month' - interval '1 day')::date AS last
                   FROM generate_series($2::date, $3::date, interval '1 month') d)
        SELECT l.customer_id, m.month, sum(l.mrr) AS mrr
        FROM mrr_lines l JOIN m ON l.start_date <= m.last AND l.end_date >= m.last
        WHERE l.currency = $1 AND l.end_date >= $2 {_line_filters(f, args)}
        GROUP BY 1, 2"""
        return [(r[0], r[1], r[2]) for r in await self._conn.fetch(sql, *args)]

    async def first_months(self, f: Filters) -> dict[uuid.UUID, date]:
        """The first month each customer had MRR at its end (M5's `ever`)."""
        args: list[Any] = [f.currency]
        sql = f"""
        SELECT l.customer_id, min(date_trunc('month', l.start_date)::date)
        FROM mrr_lines l
        WHERE l.currency = $1
          AND l.end_date >= (date_trunc('month', l.start_date) + interval '1 month' - interval '1 day')::date
          {_line_filters(f, args)}
        GROUP BY 1"""
        return {r[0]: r[1] for r in await self._conn.fetch(sql, *args)}

    async def arr_on(self, f: Filters, on: date, limit: int) -> list[tuple[uuid.UUID, str, Decimal]]:
        args: list[Any] = [f.currency, on, limit]
        sql = f"""
        SELECT l.customer_id, coalesce(c.name, ''), sum(l.mrr) * 12 AS arr
        FROM mrr_lines l LEFT JOIN customers c USING (customer_id)
        WHERE l.currency = $1 AND l.start_date <= $2 AND l.end_date >= $2 {_line_filters(f, args)}
        GROUP BY 1, 2 ORDER BY 3 DESC, 2 LIMIT $3"""
        return [(r[0], r[1], r[2]) for r in await self._conn.fetch(sql, *args)]

    async def revenue_months(
        self, currency: str, first: date, last: date
    ) -> list[tuple[date, Decimal, Decimal, Decimal]]:
        """(month, invoiced, recognized, deferred at its end) from the folded recognition table."""
        rows = await self._conn.fetch(
            """
            WITH m AS (SELECT d::date AS month FROM generate_series($2::date, $3::date, interval '1 month') d)
            SELECT m.month,
                   coalesce(sum(r.amount) FILTER (WHERE r.issue_month = m.month), 0),
                   coalesce(sum(r.amount) FILTER (WHERE r.month = m.month), 0),
                   coalesce(sum(r.amount) FILTER (WHERE r.issue_month <= m.month AND r.month > m.month), 0)
            FROM m LEFT JOIN recognition r ON r.currency = $1
            GROUP BY m.month ORDER BY m.month""",
            currency, first, last,
        )  # fmt: skip
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    async def customer_lines(self, f: Filters) -> list[tuple[date, date | None, date | None, Decimal]]:
        """A customer's invoice lines (issue date, period, net), for its own recognition figures."""
        assert f.customer_id is not None
        rows = await self._conn.fetch(
            "SELECT issue_date, period_start, period_end, amount FROM invoice_lines "
            "WHERE customer_id = $1 AND currency = $2", f.customer_id, f.currency,
        )  # fmt: skip
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    async def collected_by_day(self, f: Filters, first: date, last: date) -> list[tuple[date, Decimal]]:
        """Money in between two days: by month from the folded totals, by day for one customer."""
        if f.customer_id is not None:
            return await self.collections_between(f, first, last)
        rows = await self._conn.fetch(
            "SELECT month, collected FROM month_totals WHERE currency = $1 AND month BETWEEN $2 AND $3",
            f.currency, first, last,
        )  # fmt: skip
        return [(r[0], r[1]) for r in rows]

    async def collections_between(self, f: Filters, first: date, last: date) -> list[tuple[date, Decimal]]:
        args: list[Any] = [f.currency, first, last]
        sql = f"""SELECT paid_on, sum(applied + credited) FROM collections
                  WHERE currency = $1 AND paid_on BETWEEN $2 AND $3 {_customer_filter(f, args)}
                  GROUP BY 1"""
        return [(r[0], r[1]) for r in await self._conn.fetch(sql, *args)]

    async def sales_by_month(self, f: Filters, last: date, months: int) -> list[tuple[date, Decimal]]:
        """Gross sales per month from `last` backwards (DSO)."""
        args: list[Any] = [f.currency, last, months]
        if f.customer_id is None:
            sql = """SELECT d::date, coalesce(t.sales_gross, 0)
                     FROM generate_series($2::date - make_interval(months => $3 - 1), $2::date,
                                          interval '1 month') d
                     LEFT JOIN month_totals t ON t.currency = $1 AND t.month = d::date ORDER BY 1 DESC"""
        else:
            cust = _customer_filter(f, args)
            sql = f"""SELECT d::date, coalesce((SELECT sum(gross) FROM invoice_facts
                        WHERE currency = $1 AND date_trunc('month', issue_date) = d {cust}), 0)
                     FROM generate_series($2::date - make_interval(months => $3 - 1), $2::date,
                                          interval '1 month') d
                     ORDER BY 1 DESC"""
        return [(r[0], r[1]) for r in await self._conn.fetch(sql, *args)]

    def _open(self, f: Filters, args: list[Any]) -> str:
        """M11's open invoices at $2 as (invoice_id, customer_id, due_date, open): payments and credits
        dated after the day do not count (the running total serves when none is)."""
        cust = _customer_filter(f, args, "i.customer_id")
        select = """SELECT i.invoice_id, i.customer_id, i.due_date, i.gross - CASE
                WHEN i.last_entry_on IS NULL OR i.last_entry_on <= $2 THEN i.entries_total
                ELSE (SELECT coalesce(sum(e.amount), 0) FROM ar_entries e
                      WHERE e.invoice_id = i.invoice_id AND e.on_date <= $2) END AS open
            FROM invoice_facts i WHERE i.currency = $1 AND i.kind = 'invoice' AND i.issue_date <= $2"""
        return f"{select} AND i.settled_on IS NULL {cust} UNION ALL {select} AND i.settled_on > $2 {cust}"

    async def open_groups(self, f: Filters, on: date) -> list[OpenGroup]:
        """Open amounts summed by due date and the customer's rounded lateness (aging and forecast)."""
        args: list[Any] = [f.currency, on]
        sql = f"""
        SELECT o.due_date, c.late_days, coalesce(sum(o.open) FILTER (WHERE o.open > 0), 0),
               count(*) FILTER (WHERE o.open > 0), coalesce(sum(o.open) FILTER (WHERE o.open < 0), 0)
        FROM ({self._open(f, args)}) o LEFT JOIN customers c USING (customer_id)
        GROUP BY 1, 2"""
        return [OpenGroup(*r) for r in await self._conn.fetch(sql, *args)]

    async def open_by_customer(
        self, f: Filters, on: date, customers: list[uuid.UUID]
    ) -> dict[uuid.UUID, Decimal]:
        args: list[Any] = [f.currency, on, customers]
        sql = f"""SELECT customer_id, sum(open) FROM ({self._open(f, args)}) o
                  WHERE customer_id = ANY($3::uuid[]) GROUP BY 1"""
        return {r[0]: r[1] for r in await self._conn.fetch(sql, *args)}

    async def unapplied(self, f: Filters, on: date) -> Decimal:
        """Payments beyond their invoices' balances, kept as credit (M11's separate line)."""
        args: list[Any] = [f.currency, on]
        sql = f"""SELECT coalesce(sum(credited), 0) FROM collections
                  WHERE currency = $1 AND paid_on <= $2 AND credited <> 0 {_customer_filter(f, args)}"""
        value: Decimal = await self._conn.fetchval(sql, *args)
        return value

    async def company_lateness(self, currency: str) -> Decimal:
        """M13's company-wide fallback, per currency: the amount-weighted mean over the last 12 paid
        invoices of every customer with a contract in it."""
        value = await self._conn.fetchval(
            """SELECT sum(late_days_x_amount) / nullif(sum(late_amount), 0) FROM customers
               WHERE late_amount > 0
                 AND customer_id IN (SELECT customer_id FROM contracts WHERE currency = $1)""",
            currency,
        )
        return Decimal(value or 0)

    async def scheduled_due(self, f: Filters, last: date) -> list[tuple[date, int | None, Decimal]]:
        """Invoices still to come within current terms, summed by due date and customers' lateness."""
        if f.customer_id is None:
            sql = """SELECT due_on, late_days, sum(gross) FROM scheduled_sums
                     WHERE currency = $1 AND due_on <= $2 GROUP BY 1, 2 HAVING sum(gross) <> 0"""
            rows = await self._conn.fetch(sql, f.currency, last)
        else:
            sql = """SELECT s.due_on, c.late_days, sum(s.gross) FROM scheduled s
                     LEFT JOIN customers c USING (customer_id)
                     WHERE s.currency = $1 AND s.due_on <= $2 AND s.customer_id = $3 GROUP BY 1, 2"""
            rows = await self._conn.fetch(sql, f.currency, last, f.customer_id)
        return [(r[0], r[1], r[2]) for r in rows]

    async def ending(self, f: Filters, first: date, last: date, limit: int = 100) -> list[RenewalContract]:
        """Contracts whose term ends in [first, last], soonest first (the renewals pipeline)."""
        args: list[Any] = [f.currency, first, last]
        where = self._ending_where(f, args)
        sql = f"""
        SELECT c.contract_id, c.contract_no, c.customer_id, coalesce(n.name, ''), c.status, c.end_date,
               c.notice_days, c.auto_renew, c.annual_value, c.renewal_gross, c.renewal_months,
               c.interval_months, c.timing, c.terms_days, c.renewed_to, c.terminated_on,
               coalesce((SELECT array_agg(step) FROM renewal_steps s WHERE s.contract_id = c.contract_id),
                        '{{}}'), n.late_days
        FROM contracts c LEFT JOIN customers n USING (customer_id)
        WHERE {where}
        ORDER BY c.end_date, c.contract_no LIMIT {int(limit)}"""
        out = []
        for r in await self._conn.fetch(sql, *args):
            values = list(r.values())
            out.append(RenewalContract(*values[:16], steps=list(values[16]), late_days=values[17]))
        return out

    async def mrr_months(self, currency: str, first: date, last: date) -> dict[date, tuple[Decimal, ...]]:
        """M5 as folded: (mrr, new, reactivation, expansion, contraction, churn, customers) per month."""
        rows = await self._conn.fetch(
            """SELECT month, mrr, new, reactivation, expansion, contraction, churn, customers FROM mrr_months
               WHERE currency = $1 AND month BETWEEN $2 AND $3""",
            currency, first, last,
        )  # fmt: skip
        return {r[0]: tuple(r[1:]) for r in rows}

    async def customer_series(self, currency: str, customer_id: uuid.UUID) -> dict[date, Decimal]:
        rows = await self._conn.fetch(
            "SELECT month, mrr FROM customer_mrr WHERE currency = $1 AND customer_id = $2",
            currency,
            customer_id,
        )
        return {r[0]: r[1] for r in rows}

    async def retention_sums(self, currency: str, before: date, last: date) -> RetentionSums:
        """M7's sums over customers between two month ends, folded in SQL."""
        row = await self._conn.fetchrow(
            """
            WITH t AS (
                SELECT customer_id, coalesce(max(mrr) FILTER (WHERE month = $2), 0) AS m0,
                       coalesce(max(mrr) FILTER (WHERE month = $3), 0) AS m1
                FROM customer_mrr WHERE currency = $1 AND month IN ($2, $3) GROUP BY 1)
            SELECT coalesce(sum(m0), 0), coalesce(sum(m0) FILTER (WHERE m1 = 0), 0),
                   coalesce(sum(m0 - m1) FILTER (WHERE m0 > m1 AND m1 > 0), 0),
                   coalesce(sum(m1 - m0) FILTER (WHERE m1 > m0 AND m0 > 0), 0),
                   coalesce(sum(m1) FILTER (WHERE m0 = 0 AND m1 > 0 AND EXISTS (
                       SELECT 1 FROM customer_mrr x
                       WHERE x.currency = $1 AND x.customer_id = t.customer_id AND x.month < $2)), 0),
                   count(*) FILTER (WHERE m0 > 0), count(*) FILTER (WHERE m0 > 0 AND m1 = 0),
                   coalesce(sum(m1) FILTER (WHERE m0 > 0), 0),
                   coalesce(sum(least(m0, m1)) FILTER (WHERE m0 > 0), 0)
            FROM t""",
            currency, before, last,
        )  # fmt: skip
        return RetentionSums(*row)

    async def top_by_mrr(
        self, currency: str, month: date, limit: int
    ) -> list[tuple[uuid.UUID, str, Decimal]]:
        rows = await self._conn.fetch(
            """SELECT m.customer_id, coalesce(c.name, ''), m.mrr * 12 FROM customer_mrr m
               LEFT JOIN customers c USING (customer_id)
               WHERE m.currency = $1 AND m.month = $2 ORDER BY m.mrr DESC LIMIT $3""",
            currency, month, limit,
        )  # fmt: skip
        return [(r[0], r[1], r[2]) for r in rows]

    def _ending_where(self, f: Filters, args: list[Any]) -> str:
        extra = _customer_filter(f, args, "c.customer_id")
        if f.product_id is not None or f.vendor:
            lines = _line_filters(Filters(f.currency, None, f.product_id, f.vendor), args)
            extra += f" AND c.contract_id IN (SELECT l.contract_id FROM mrr_lines l WHERE true {lines})"
        return f"c.currency = $1 AND c.end_date BETWEEN $2 AND $3 AND c.status <> 'draft' {extra}"

    async def renewal_windows(self, f: Filters, on: date) -> list[tuple[int, int, Decimal]]:
        """(days, contracts, ARR) of terms ending within 30, 60 and 90 days of `on`."""
        args: list[Any] = [f.currency, on, on + timedelta(days=90)]
        sql = f"""SELECT {
            ", ".join(
                f"count(*) FILTER (WHERE c.end_date <= $2::date + {d}), "
                f"coalesce(sum(c.annual_value) FILTER (WHERE c.end_date <= $2::date + {d}), 0)"
                for d in (30, 60, 90)
            )
        } FROM contracts c WHERE {self._ending_where(f, args)}"""
        row = await self._conn.fetchrow(sql, *args)
        return [(d, row[2 * i], row[2 * i + 1]) for i, d in enumerate((30, 60, 90))]

    async def renewal_groups(self, f: Filters, on: date, last: date) -> list[RenewalGroup]:
        """Terms ending in [on, last] not renewed yet, summed by what places their renewal invoices in time
        and by p_renew's class (0: terminated or declined; 1: accepted, or auto-renewal past its notice
        deadline; 2: the renewal rate)."""
        args: list[Any] = [f.currency, on, last]
        sql = f"""
        SELECT c.end_date, c.interval_months, c.timing, c.terms_days, c.renewal_months, n.late_days,
               CASE WHEN c.terminated_on IS NOT NULL OR c.status = 'terminated'
                         OR EXISTS (SELECT 1 FROM renewal_steps s
                                    WHERE s.contract_id = c.contract_id AND s.step = 'declined') THEN 0
                    WHEN EXISTS (SELECT 1 FROM renewal_steps s
                                 WHERE s.contract_id = c.contract_id AND s.step = 'accepted')
                         OR (c.auto_renew AND $2::date > c.end_date - c.notice_days) THEN 1
                    ELSE 2 END,
               sum(c.renewal_gross)
        FROM contracts c LEFT JOIN customers n USING (customer_id)
        WHERE {self._ending_where(f, args)} AND c.renewed_to IS NULL
        GROUP BY 1, 2, 3, 4, 5, 6, 7"""
        return [RenewalGroup(*r.values()) for r in await self._conn.fetch(sql, *args)]

    async def renewal_rate(self, currency: str, first: date, last: date) -> Decimal | None:
        """Renewed ARR ÷ ARR due for renewal over terms that ended in [first, last]."""
        row = await self._conn.fetchrow(
            """SELECT coalesce(sum(annual_value) FILTER (WHERE renewed_to IS NOT NULL), 0),
                      coalesce(sum(annual_value), 0)
               FROM contracts WHERE currency = $1 AND end_date BETWEEN $2 AND $3 AND status <> 'draft'""",
            currency, first, last,
        )  # fmt: skip
        return row[0] / row[1] if row and row[1] else None

    async def contracts_ended(self, f: Filters, first: date, last: date) -> dict[date, int]:
        args: list[Any] = [f.currency, first, last]
        sql = f"""SELECT date_trunc('month', end_date)::date, count(*) FROM contracts
                  WHERE currency = $1 AND end_date BETWEEN $2 AND $3 AND renewed_to IS NULL
                    AND status <> 'draft'
                  {_customer_filter(f, args)} GROUP BY 1"""
        return {r[0]: r[1] for r in await self._conn.fetch(sql, *args)}

    async def invoiced_since(
        self, customers: list[uuid.UUID], first: date, last: date, currency: str
    ) -> dict[uuid.UUID, Decimal]:
        rows = await self._conn.fetch(
            """SELECT customer_id, sum(total) FROM invoice_facts WHERE customer_id = ANY($1::uuid[])
               AND currency = $4 AND issue_date BETWEEN $2 AND $3 GROUP BY 1""",
            customers, first, last, currency,
        )  # fmt: skip
        return {r[0]: r[1] for r in rows}
