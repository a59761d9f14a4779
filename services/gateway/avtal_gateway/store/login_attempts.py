"""Sign-in attempts (asyncpg), in the gateway's database so every replica counts the same attempts."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from avtal_gateway.domain.logins import RecentAttempts

# Serialises concurrent attempts on one account or address (both locks, always in this order), so
# parallel guesses cannot all slip under the limit before any of them is counted.
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('login-account:' || $1)), "
_LOCK += "pg_advisory_xact_lock(hashtext('login-address:' || $2))"
_INSERT = (
    "INSERT INTO login_attempts (account, address, attempted_at) VALUES ($1, $2, $3) RETURNING attempt_id"
)
_RECENT = """
SELECT count(*) FILTER (WHERE account = $1) AS account,
       count(*) FILTER (WHERE address = $2) AS address,
       min(attempted_at) FILTER (WHERE account = $1) AS account_oldest,
       min(attempted_at) FILTER (WHERE address = $2) AS address_oldest
FROM login_attempts
WHERE (account = $1 OR address = $2) AND attempted_at > $3
"""
_FORGET_ACCOUNT = "DELETE FROM login_attempts WHERE account = $1"
_PURGE = "DELETE FROM login_attempts WHERE attempted_at <= $1"


class LoginAttemptRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def record(self, account: str, address: str, now: datetime, since: datetime) -> RecentAttempts:
        """Count this attempt, then return the attempts since `since` (this one included)."""
        await self._conn.execute(_LOCK, account, address)
        await self._conn.fetchval(_INSERT, account, address, now)
        row = await self._conn.fetchrow(_RECENT, account, address, since)
        return RecentAttempts(**dict(row))

    async def forget_account(self, account: str) -> None:
        """A successful sign-in clears the account's failures (the address keeps its count)."""
        await self._conn.execute(_FORGET_ACCOUNT, account)

    async def purge(self, before: datetime) -> int:
        status = await self._conn.execute(_PURGE, before)
        return int(status.split()[-1])
