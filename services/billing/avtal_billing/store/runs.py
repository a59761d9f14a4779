"""Billing runs and the periods they failed on (asyncpg)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from avtal_billing.domain.runs import BillingRun, CurrencyTotal, PeriodFailure, RunFailure
from avtal_common.errors import NotFound

_RUN_COLUMNS = (
    "run_id, run_key, as_of, invoices_created, rounds, finished_at IS NOT NULL AS finished, invoice_per, "
    "started_at, finished_at"
)
# Triggering a known key again starts its next round (which retries the failures of earlier ones).
_START = f"""
INSERT INTO billing_runs (run_id, run_key, as_of, invoice_per) VALUES ($1, $2, $3, $4)
ON CONFLICT (run_key) DO UPDATE SET rounds = billing_runs.rounds + 1
RETURNING {_RUN_COLUMNS}
"""
_GET = f"SELECT {_RUN_COLUMNS} FROM billing_runs WHERE run_key = $1"
_UNFINISHED = (
    f"SELECT {_RUN_COLUMNS} FROM billing_runs WHERE finished_at IS NULL ORDER BY started_at LIMIT 10"
)
_LIST = f"SELECT {_RUN_COLUMNS} FROM billing_runs ORDER BY started_at DESC LIMIT $1 OFFSET $2"
_COUNT = "SELECT count(*) FROM billing_runs"
_ADD_INVOICES = "UPDATE billing_runs SET invoices_created = invoices_created + $2 WHERE run_id = $1"
_FINISH = "UPDATE billing_runs SET finished_at = now() WHERE run_id = $1 AND finished_at IS NULL"
_RECORD_FAILURE = """
INSERT INTO billing_run_failures (run_id, contract_id, period_start, reason, round)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (run_id, contract_id, period_start) DO UPDATE SET reason = EXCLUDED.reason,
    round = EXCLUDED.round, attempts = billing_run_failures.attempts + 1, failed_at = now()
"""
# A failure is open while its period has no invoice (whichever run billed it later).
_OPEN = """
FROM billing_run_failures f
JOIN billing_periods p ON p.contract_id = f.contract_id AND p.period_start = f.period_start
WHERE f.run_id = $1 AND p.invoice_id IS NULL
"""
_OPEN_FAILURES = f"""
SELECT f.contract_id, f.period_start, f.reason, f.attempts, f.failed_at {_OPEN}
ORDER BY f.period_start, f.contract_id LIMIT $2
"""
_OPEN_COUNT = f"SELECT count(*) {_OPEN}"
_TOTALS = """
SELECT currency, count(*) AS invoices, sum(net) AS net, sum(vat) AS vat, sum(total) AS total
FROM invoices WHERE run_id = $1 GROUP BY currency ORDER BY currency
"""


class RunRepo:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def start(self, run_id: uuid.UUID, run_key: str, as_of: date, per: str = "customer") -> BillingRun:
        """Create the run, or start the next round of the run with this key (keeping its `as_of` and
        grouping)."""
        return BillingRun(**dict(await self._conn.fetchrow(_START, run_id, run_key, as_of, per)))

    async def get(self, run_key: str, failures_listed: int = 1000) -> BillingRun:
        """The run with its open failures (the first `failures_listed` of them; `failed` counts all)."""
        row = await self._conn.fetchrow(_GET, run_key)
        if row is None:
            raise NotFound(f"billing run {run_key!r} does not exist")
        failures = await self._conn.fetch(_OPEN_FAILURES, row["run_id"], failures_listed)
        failed = await self._conn.fetchval(_OPEN_COUNT, row["run_id"])
        totals = tuple(CurrencyTotal(**dict(t)) for t in await self._conn.fetch(_TOTALS, row["run_id"]))
        return BillingRun(
            **dict(row),
            open_failures=tuple(RunFailure(**dict(f)) for f in failures),
            failed=failed,
            totals=totals,
        )

    async def unfinished(self) -> list[BillingRun]:
        return [BillingRun(**dict(r)) for r in await self._conn.fetch(_UNFINISHED)]

    async def list(self, limit: int, offset: int) -> tuple[list[BillingRun], int]:
        """Runs, newest first (without failures and totals), and how many there are."""
        rows = await self._conn.fetch(_LIST, limit, offset)
        return [BillingRun(**dict(r)) for r in rows], int(await self._conn.fetchval(_COUNT))

    async def add_invoices(self, run_id: uuid.UUID, count: int) -> None:
        if count:
            await self._conn.execute(_ADD_INVOICES, run_id, count)

    async def record_failures(self, run_id: uuid.UUID, round_no: int, failures: list[PeriodFailure]) -> None:
        if not failures:
            return
        await self._conn.executemany(
            _RECORD_FAILURE, [(run_id, f.contract_id, f.period_start, f.reason, round_no) for f in failures]
        )

    async def finish(self, run_id: uuid.UUID) -> None:
        await self._conn.execute(_FINISH, run_id)
