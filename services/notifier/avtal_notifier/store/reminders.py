"""Renewal terms and their reminders (asyncpg)."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

from avtal_notifier.domain.reminders import RenewalTerm

_COLUMNS = (
    "contract_id, term_end, contract_no, customer_id, first_notice_on, reminders_sent, auto_renew, "
    "stopped, quote_no, quote_total, currency"
)
# The first notice opens the term; later ones add what they know (a quote, whether it renews by itself).
_OPEN = """
INSERT INTO renewal_terms (contract_id, term_end, contract_no, customer_id, first_notice_on, auto_renew,
    quote_no, quote_total, currency)
VALUES ($1, $2, $3, $4, $5, coalesce($6, false), $7, $8, $9)
ON CONFLICT (contract_id, term_end) DO UPDATE SET
    contract_no = coalesce(nullif(EXCLUDED.contract_no, ''), renewal_terms.contract_no),
    first_notice_on = least(renewal_terms.first_notice_on, EXCLUDED.first_notice_on),
    auto_renew = coalesce($6, renewal_terms.auto_renew),
    quote_no = coalesce(EXCLUDED.quote_no, renewal_terms.quote_no),
    quote_total = coalesce(EXCLUDED.quote_total, renewal_terms.quote_total),
    currency = coalesce(EXCLUDED.currency, renewal_terms.currency)
"""
_STOP = """
UPDATE renewal_terms SET stopped = $2, stopped_at = now() WHERE contract_id = $1 AND stopped IS NULL
"""
# Locked until the unit of work ends: another replica's pass skips the terms this one is reminding.
_DUE = f"""
SELECT {_COLUMNS} FROM renewal_terms
WHERE stopped IS NULL AND NOT auto_renew AND term_end > $1
  AND first_notice_on + $2 * (reminders_sent + 1) <= $1
ORDER BY first_notice_on LIMIT $3 FOR UPDATE SKIP LOCKED
"""
_REMINDED = """
UPDATE renewal_terms SET reminders_sent = greatest(reminders_sent, $3)
WHERE contract_id = $1 AND term_end = $2
"""
_GET = f"SELECT {_COLUMNS} FROM renewal_terms WHERE contract_id = $1 ORDER BY term_end"


class ReminderRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def open(self, t: RenewalTerm, auto_renew: bool | None) -> None:
        """Open the term (or add to it); `auto_renew` None: not known from this notice."""
        await self._conn.execute(
            _OPEN, t.contract_id, t.term_end, t.contract_no, t.customer_id, t.first_notice_on, auto_renew,
            t.quote_no, t.quote_total, t.currency,
        )  # fmt: skip

    async def stop(self, contract_id: uuid.UUID, why: str) -> None:
        await self._conn.execute(_STOP, contract_id, why)

    async def due(self, today: date, cadence_days: int, limit: int) -> list[RenewalTerm]:
        return [RenewalTerm(**dict(r)) for r in await self._conn.fetch(_DUE, today, cadence_days, limit)]

    async def reminded(self, contract_id: uuid.UUID, term_end: date, number: int) -> None:
        await self._conn.execute(_REMINDED, contract_id, term_end, number)

    async def of_contract(self, contract_id: uuid.UUID) -> list[RenewalTerm]:
        return [RenewalTerm(**dict(r)) for r in await self._conn.fetch(_GET, contract_id)]
