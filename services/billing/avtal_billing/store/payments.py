"""Payments, customer credits, invoice balances and receivables (asyncpg)."""

from __future__ import annotations

import uuid
from dataclasses import astuple
from datetime import date
from decimal import Decimal
from typing import Any

from avtal_billing.domain.payments import OpenInvoice, Payment
from avtal_common.errors import NotFound

_COLUMNS = ", ".join(Payment.__dataclass_fields__)
_ADD = f"""
INSERT INTO payments ({_COLUMNS.replace(", received_at", "")})
VALUES ({", ".join(f"${i}" for i in range(1, len(Payment.__dataclass_fields__)))})
ON CONFLICT (payment_id) DO NOTHING
"""
_GET = f"SELECT {_COLUMNS} FROM payments WHERE payment_id = $1"
_LIST = f"""
SELECT {_COLUMNS} FROM payments WHERE ($1::text IS NULL OR status = $1)
ORDER BY received_at DESC LIMIT $2 OFFSET $3
"""
_COUNT = "SELECT count(*) FROM payments WHERE ($1::text IS NULL OR status = $1)"
_INVOICE = "SELECT invoice_id, invoice_no, customer_id, currency, total, paid, status FROM invoices"
_BY_OCR = f"{_INVOICE} WHERE ocr = $1 AND kind = 'invoice' FOR UPDATE"
_BY_NO = f"{_INVOICE} WHERE invoice_no = $1 AND kind = 'invoice' FOR UPDATE"
_BY_ID = f"{_INVOICE} WHERE invoice_id = $1 AND kind = 'invoice' FOR UPDATE"
_PAY = """
UPDATE invoices SET paid = paid + $2, status = $3, paid_on = CASE WHEN $3 = 'paid' THEN $4::date END
WHERE invoice_id = $1
"""
_CREDIT = """
INSERT INTO customer_credits (customer_id, currency, amount) VALUES ($1, $2, $3)
ON CONFLICT (customer_id, currency) DO UPDATE SET amount = customer_credits.amount + EXCLUDED.amount
"""
_RESOLVE = """
UPDATE payments SET status = 'matched', invoice_id = $2, customer_id = $3, applied = $4, credited = $5,
    reason = NULL, resolved_by = $6
WHERE payment_id = $1 AND status = 'unmatched'
"""
# Open balance, overdue part and credit per customer and currency.
_RECEIVABLES = """
WITH open AS (
    SELECT customer_id, currency, max(customer_name) AS customer_name, count(*) AS open_invoices,
           sum(total - paid) AS balance,
           sum(total - paid) FILTER (WHERE due_date < $1) AS overdue
    FROM invoices WHERE status IN ('issued', 'partially_paid') AND kind = 'invoice'
      AND ($2::uuid IS NULL OR customer_id = $2)
    GROUP BY customer_id, currency
)
SELECT coalesce(o.customer_id, c.customer_id) AS customer_id, coalesce(o.currency, c.currency) AS currency,
       o.customer_name, coalesce(o.open_invoices, 0) AS open_invoices, coalesce(o.balance, 0.00) AS balance,
       coalesce(o.overdue, 0.00) AS overdue, coalesce(c.amount, 0.00) AS credit
FROM open o FULL JOIN (SELECT * FROM customer_credits WHERE $2::uuid IS NULL OR customer_id = $2) c
  ON c.customer_id = o.customer_id AND c.currency = o.currency
ORDER BY coalesce(o.overdue, 0) DESC, coalesce(o.balance, 0) DESC LIMIT $3
"""
# Open invoices whose days past due reach their next step ($2: the ladder's days, step 1 first).
_OVERDUE = """
SELECT invoice_id, invoice_no, customer_id, customer_name, customer_email, locale, currency, total, paid,
       due_date, dunning_step
FROM invoices WHERE status IN ('issued', 'partially_paid') AND kind = 'invoice' AND due_date < $1
  AND dunning_step < cardinality($2::int[]) AND due_date + ($2::int[])[dunning_step + 1] <= $1
ORDER BY due_date LIMIT $3 FOR UPDATE SKIP LOCKED
"""
_STEP = "UPDATE invoices SET dunning_step = $2 WHERE invoice_id = $1 AND dunning_step < $2"


class PaymentRepo:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def add(self, p: Payment) -> bool:
        """Store the payment; False if one with its id is known already (nothing changes then)."""
        return str(await self._conn.execute(_ADD, *astuple(p)[:-1])).endswith(" 1")

    async def get(self, payment_id: str) -> Payment:
        row = await self._conn.fetchrow(_GET, payment_id)
        if row is None:
            raise NotFound(f"payment {payment_id} does not exist")
        return Payment(**dict(row))

    async def list(self, status: str | None, limit: int, offset: int) -> tuple[list[Payment], int]:
        rows = await self._conn.fetch(_LIST, status, limit, offset)
        return [Payment(**dict(r)) for r in rows], int(await self._conn.fetchval(_COUNT, status))

    async def invoice_by(
        self, ocr: str | None = None, number: str | None = None, invoice_id: uuid.UUID | None = None
    ) -> OpenInvoice | None:
        """The invoice a payment names, locked until the transaction ends."""
        sql, key = (_BY_OCR, ocr) if ocr else (_BY_ID, invoice_id) if invoice_id else (_BY_NO, number)
        row = await self._conn.fetchrow(sql, key) if key else None
        return OpenInvoice(**dict(row)) if row else None

    async def pay(self, invoice_id: uuid.UUID, applied: Decimal, status: str, paid_on: date) -> None:
        await self._conn.execute(_PAY, invoice_id, applied, status, paid_on)

    async def credit(self, customer_id: uuid.UUID, currency: str, amount: Decimal) -> None:
        if amount:
            await self._conn.execute(_CREDIT, customer_id, currency, amount)

    async def resolve(self, p: Payment, by: str) -> bool:
        status = await self._conn.execute(
            _RESOLVE, p.payment_id, p.invoice_id, p.customer_id, p.applied, p.credited, by
        )
        return str(status).endswith(" 1")

    async def receivables(
        self, today: date, customer_id: uuid.UUID | None, limit: int
    ) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_RECEIVABLES, today, customer_id, limit)]

    async def overdue(self, today: date, ladder: list[int], limit: int) -> list[dict[str, Any]]:
        """Open invoices that reached their next dunning step, locked (another replica skips them)."""
        return [dict(r) for r in await self._conn.fetch(_OVERDUE, today, ladder, limit)]

    async def reach_step(self, invoice_id: uuid.UUID, step: int) -> None:
        await self._conn.execute(_STEP, invoice_id, step)
