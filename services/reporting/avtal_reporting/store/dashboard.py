"""The read side of the dashboards: each query answers one widget's raw figures for one currency."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
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
class OpenInvoice:
    invoice_id: uuid.UUID
    invoice_no: str
    customer_id: uuid.UUID
    due_date: date
    open: Decimal


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
        args: list[Any] = [f.currency, first, last]
        if f.customer_id is None:
            rows = await self._conn.fetch(
                "SELECT month, collected FROM month_totals WHERE currency = $1 AND month BETWEEN $2 AND $3",
                *args,
            )
        else:
            sql = f"""SELECT paid_on, sum(applied + credited) FROM collections
                      WHERE currency = $1 AND paid_on BETWEEN $2 AND $3 {_customer_filter(f, args)}
                      GROUP BY 1"""
            rows = await self._conn.fetch(sql, *args)
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

    async def open_invoices(self, f: Filters, on: date) -> list[OpenInvoice]:
        """M11: every invoice issued by `on` with what was still open that day (payments and credits dated
        after it do not count)."""
        args: list[Any] = [f.currency, on]
        cust = _customer_filter(f, args, "i.customer_id")
        select = """SELECT i.invoice_id, i.invoice_no, i.customer_id, i.due_date,
               i.gross - coalesce((SELECT sum(e.amount) FROM ar_entries e
                                   WHERE e.invoice_id = i.invoice_id AND e.on_date <= $2), 0) AS open
            FROM invoice_facts i WHERE i.currency = $1 AND i.kind = 'invoice' AND i.issue_date <= $2"""
        sql = f"{select} AND i.settled_on IS NULL {cust} UNION ALL {select} AND i.settled_on > $2 {cust}"
        return [OpenInvoice(*r) for r in await self._conn.fetch(sql, *args) if r["open"] != 0]

    async def unapplied(self, f: Filters, on: date) -> Decimal:
        """Payments beyond their invoices' balances, kept as credit (M11's separate line)."""
        args: list[Any] = [f.currency, on]
        sql = f"""SELECT coalesce(sum(credited), 0) FROM collections
                  WHERE currency = $1 AND paid_on <= $2 {_customer_filter(f, args)}"""
        value: Decimal = await self._conn.fetchval(sql, *args)
        return value

    async def lateness(self) -> tuple[dict[uuid.UUID, Decimal], Decimal]:
        """M13 per customer (mean days late over its last 12 paid invoices) and the company-wide mean."""
        rows = await self._conn.fetch(
            "SELECT customer_id, late_days_x_amount, late_amount FROM customers WHERE late_amount > 0"
        )
        w = sum((r[1] for r in rows), Decimal(0))
        a = sum((r[2] for r in rows), Decimal(0))
        return {r[0]: r[1] / r[2] for r in rows}, (w / a if a else Decimal(0))

    async def scheduled_due(
        self, f: Filters, first: date, last: date
    ) -> list[tuple[uuid.UUID, date, Decimal]]:
        """Invoices still to come within current terms (not yet invoiced), by customer and due date."""
        args: list[Any] = [f.currency, first, last]
        sql = f"""
        SELECT s.customer_id, s.due_on, sum(s.gross)
        FROM scheduled s LEFT JOIN invoiced_through t USING (contract_id)
        WHERE s.currency = $1 AND s.due_on <= $3 AND (t.through IS NULL OR s.period_start > t.through)
          AND s.period_end >= $2 {_customer_filter(f, args, "s.customer_id")}
        GROUP BY 1, 2"""
        return [(r[0], r[1], r[2]) for r in await self._conn.fetch(sql, *args)]

    async def ending(self, f: Filters, first: date, last: date) -> list[RenewalContract]:
        """Contracts whose term ends in [first, last] (renewals pipeline and renewal cash)."""
        args: list[Any] = [f.currency, first, last]
        extra = _customer_filter(f, args, "c.customer_id")
        if f.product_id is not None or f.vendor:
            lines = _line_filters(Filters(f.currency, None, f.product_id, f.vendor), args)
            extra += f" AND c.contract_id IN (SELECT l.contract_id FROM mrr_lines l WHERE true {lines})"
        sql = f"""
        SELECT c.contract_id, c.contract_no, c.customer_id, coalesce(n.name, ''), c.status, c.end_date,
               c.notice_days, c.auto_renew, c.annual_value, c.renewal_gross, c.renewal_months,
               c.interval_months, c.timing, c.terms_days, c.renewed_to, c.terminated_on,
               coalesce((SELECT array_agg(step) FROM renewal_steps s
                         WHERE s.contract_id = c.contract_id), '{{}}')
        FROM contracts c LEFT JOIN customers n USING (customer_id)
        WHERE c.currency = $1 AND c.end_date BETWEEN $2 AND $3 AND c.status <> 'draft' {extra}
        ORDER BY c.end_date, c.contract_no"""
        return [RenewalContract(*r[:16], list(r[16])) for r in await self._conn.fetch(sql, *args)]

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
