"""Billing schedules: the periods of each contract and which of them are due (asyncpg)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from avtal_billing.domain.contracts import Contract
from avtal_billing.domain.invoices import DuePeriod
from avtal_billing.domain.schedules import Period, PeriodLine, ScheduledPeriod
from avtal_billing.store.contracts import buyer_from
from avtal_common.errors import NotFound

_OF_CONTRACT = """
SELECT period_start, period_end, amount, currency, invoice_id FROM billing_periods
WHERE contract_id = $1 ORDER BY period_start
"""
# A billing run locks the periods it bills (FOR UPDATE SKIP LOCKED): taking the contract's periods
# first waits for such a run to commit, so a period it invoiced meanwhile is seen as invoiced.
_FOR_UPDATE = f"{_OF_CONTRACT} FOR UPDATE"
# Periods not yet invoiced that the new schedule no longer has go, with any run's failure on them
# (there is nothing left to retry); the others are replaced in place, so their failures stay.
_DROP_FAILURES = """
DELETE FROM billing_run_failures f USING billing_periods p
WHERE p.contract_id = $1 AND p.invoice_id IS NULL AND NOT p.period_start = ANY($2::date[])
  AND f.contract_id = p.contract_id AND f.period_start = p.period_start
"""
_DROP = """
DELETE FROM billing_periods
WHERE contract_id = $1 AND invoice_id IS NULL AND NOT period_start = ANY($2::date[])
"""
_PUT = """
INSERT INTO billing_periods (contract_id, period_start, period_end, amount, currency, lines, bill_on, timing,
                             customer_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (contract_id, period_start) DO UPDATE SET period_end = EXCLUDED.period_end,
    amount = EXCLUDED.amount, currency = EXCLUDED.currency, lines = EXCLUDED.lines,
    bill_on = EXCLUDED.bill_on, timing = EXCLUDED.timing, customer_id = EXCLUDED.customer_id
WHERE billing_periods.invoice_id IS NULL
"""
# The buyer as billing last heard of them (customer.state or any contract's state), else the contract's.
_NEWEST_BUYER = "SELECT to_jsonb(cu) - 'seen_at' FROM customers cu WHERE cu.customer_id = c.customer_id"
_DUE_COLUMNS = f"""
SELECT p.contract_id, p.period_start, p.period_end, p.currency, p.lines,
       c.contract_no, c.customer_id, c.customer_name, c.customer_email, c.locale, c.version,
       c.status, coalesce(({_NEWEST_BUYER}), c.buyer) AS buyer
"""
_NOT_FAILED = """NOT EXISTS (SELECT 1 FROM billing_run_failures f WHERE f.run_id = $1
                  AND f.contract_id = p.contract_id AND f.period_start = p.period_start)"""
# A run takes due keys (customers or contracts) in key order after the last one this worker saw, and
# only those whose advisory lock it gets at once: another replica working on a key is skipped, so two
# replicas share a run without waiting on each other, and one invoice gathers a key's due periods.
# Periods this run already failed on are skipped for the rest of the run (they wait for a retry).
_DUE_KEYS = """
WITH candidates AS (
    SELECT DISTINCT p.{key} AS k FROM billing_periods p
    WHERE p.invoice_id IS NULL AND p.bill_on <= $2 AND p.{key} > $3 AND {not_failed}
    ORDER BY 1 LIMIT $4 * 4
)
SELECT k FROM candidates WHERE pg_try_advisory_xact_lock(hashtextextended(k::text, 9)) LIMIT $4
"""
_DUE_OF_KEYS = f"""{_DUE_COLUMNS}
FROM billing_periods p JOIN contracts c ON c.contract_id = p.contract_id
WHERE p.{{key}} = ANY($3::uuid[]) AND p.invoice_id IS NULL AND p.bill_on <= $2 AND {_NOT_FAILED}
ORDER BY p.{{key}}, p.contract_id, p.period_start
FOR UPDATE OF p
"""
_NO_KEY = "00000000-0000-0000-0000-000000000000"
# What a run on `$1` would bill: per currency, customers, contracts, periods and net (writes nothing).
_PREVIEW = """
SELECT currency, count(DISTINCT customer_id) AS customers, count(DISTINCT contract_id) AS contracts,
       count(*) AS periods, sum(amount) AS net
FROM billing_periods WHERE invoice_id IS NULL AND bill_on <= $1 GROUP BY currency ORDER BY currency
"""
_ANY_DUE = f"""
SELECT EXISTS (SELECT 1 FROM billing_periods p
               WHERE p.invoice_id IS NULL AND p.bill_on <= $2 AND {_NOT_FAILED})
"""
# Bill now: one contract's unbilled periods; waits for a run holding them (then sees them invoiced).
_DUE_OF_CONTRACT = f"""{_DUE_COLUMNS}
FROM billing_periods p JOIN contracts c ON c.contract_id = p.contract_id
WHERE p.contract_id = $1 AND p.invoice_id IS NULL AND p.period_start <= $2
ORDER BY p.period_start FOR UPDATE OF p
"""
# A retry round takes the run's failures of earlier rounds whose period is still unbilled.
_FAILED = f"""{_DUE_COLUMNS}
FROM billing_run_failures f
JOIN billing_periods p ON p.contract_id = f.contract_id AND p.period_start = f.period_start
JOIN contracts c ON c.contract_id = p.contract_id
WHERE f.run_id = $1 AND f.round < $2 AND p.invoice_id IS NULL
ORDER BY p.period_start, p.contract_id LIMIT $3 FOR UPDATE OF p SKIP LOCKED
"""


class ScheduleRepo:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def for_update(self, contract_id: uuid.UUID) -> list[ScheduledPeriod]:
        """The contract's periods (none yet: []), locked until the transaction ends."""
        return [ScheduledPeriod(**dict(r)) for r in await self._conn.fetch(_FOR_UPDATE, contract_id)]

    async def replace_unbilled(
        self,
        contract_id: uuid.UUID,
        currency: str,
        periods: list[Period],
        timing: str = "advance",
        customer_id: uuid.UUID | None = None,
    ) -> None:
        """The contract's periods not yet invoiced become `periods` (end exclusive in the domain,
        inclusive here); invoiced periods stay as they are."""
        starts = [p.start for p in periods]
        await self._conn.execute(_DROP_FAILURES, contract_id, starts)
        await self._conn.execute(_DROP, contract_id, starts)
        await self._conn.executemany(
            _PUT, [_row(contract_id, currency, p, timing, customer_id) for p in periods]
        )

    async def of_contract(self, contract_id: uuid.UUID) -> list[ScheduledPeriod]:
        rows = await self._conn.fetch(_OF_CONTRACT, contract_id)
        if not rows:
            raise NotFound(f"billing has no schedule for contract {contract_id} (yet)")
        return [ScheduledPeriod(**dict(r)) for r in rows]

    async def due(
        self, run_id: uuid.UUID, as_of: date, per: str, after: uuid.UUID | None, limit: int
    ) -> tuple[list[DuePeriod], uuid.UUID | None]:
        """The due periods (by `bill_on`) of up to `limit` keys — customers or contracts, as `per` says —
        after `after` in key order whose lock this transaction got, locked; and the last key taken
        (None when no key after `after` is due)."""
        key = "customer_id" if per == "customer" else "contract_id"
        sql = _DUE_KEYS.format(key=key, not_failed=_NOT_FAILED)
        keys = [r["k"] for r in await self._conn.fetch(sql, run_id, as_of, after or _NO_KEY, limit)]
        if not keys:
            return [], None
        rows = await self._conn.fetch(_DUE_OF_KEYS.format(key=key), run_id, as_of, keys)
        return [_due(r) for r in rows], max(keys)

    async def preview(self, as_of: date) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_PREVIEW, as_of)]

    async def any_due(self, run_id: uuid.UUID, as_of: date) -> bool:
        """Whether the run has due periods left, locked by someone or not (its failures excluded)."""
        return bool(await self._conn.fetchval(_ANY_DUE, run_id, as_of))

    async def due_of_contract(self, contract_id: uuid.UUID, as_of: date) -> list[DuePeriod]:
        """The contract's unbilled periods starting by `as_of`, locked for this transaction."""
        return [_due(r) for r in await self._conn.fetch(_DUE_OF_CONTRACT, contract_id, as_of)]

    async def failed(self, run_id: uuid.UUID, before_round: int, limit: int) -> list[DuePeriod]:
        """The run's failed periods from rounds before `before_round` that are still unbilled, locked."""
        return [_due(r) for r in await self._conn.fetch(_FAILED, run_id, before_round, limit)]


def _row(
    contract_id: uuid.UUID, currency: str, p: Period, timing: str, customer_id: uuid.UUID | None
) -> tuple[Any, ...]:
    lines = [line_json(ln) for ln in p.lines]
    bill_on = p.bill_on or p.start
    end = p.end - timedelta(days=1)
    return (contract_id, p.start, end, p.amount, currency, lines, bill_on, timing, customer_id)


def line_json(ln: PeriodLine) -> dict[str, Any]:
    """A period line as stored in `billing_periods.lines` (amounts, ids and dates as strings)."""
    return {
        k: (None if v is None else v if isinstance(v, int | str) else str(v)) for k, v in asdict(ln).items()
    }


def line_from(d: dict[str, Any]) -> PeriodLine:
    """A stored period line (runs read thousands: no per-field helpers)."""
    keys = ("line_id", "start", "end", "unit_price", "vat_rate")
    line_id, start, end, unit, rate = (d.get(k) for k in keys)
    return PeriodLine(
        d["description"],
        Decimal(d["amount"]),
        uuid.UUID(line_id) if line_id else None,
        date.fromisoformat(start) if start else None,
        date.fromisoformat(end) if end else None,
        d.get("serials") or "",
        int(d.get("quantity") or 1),
        Decimal(unit) if unit is not None else None,
        Decimal(rate) if rate is not None else None,
    )


def _due(row: Any) -> DuePeriod:
    contract = Contract(
        contract_id=row["contract_id"],
        contract_no=row["contract_no"],
        customer_id=row["customer_id"],
        customer_name=row["customer_name"],
        customer_email=row["customer_email"],
        locale=row["locale"],
        currency=row["currency"],
        version=row["version"],
        buyer=buyer_from(row["buyer"]),
        status=row["status"],
    )
    lines = tuple(line_from(ln) for ln in row["lines"])
    return DuePeriod(contract, row["period_start"], row["period_end"], lines)
