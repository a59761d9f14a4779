"""Session repository (asyncpg): sessions by token digest; revocation deletes them."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from avtal_gateway.domain.sessions import Session

_INSERT = "INSERT INTO sessions (token_digest, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4)"
_GET = "SELECT token_digest, user_id, created_at, last_seen_at FROM sessions WHERE token_digest = $1"
_TOUCH = "UPDATE sessions SET last_seen_at = $2 WHERE token_digest = $1"
_DELETE = "DELETE FROM sessions WHERE token_digest = $1"
_DELETE_USER = "DELETE FROM sessions WHERE user_id = $1"
_PURGE = "DELETE FROM sessions WHERE created_at < $1 OR last_seen_at < $2"


class SessionRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, session: Session) -> None:
        s = session
        await self._conn.execute(_INSERT, s.token_digest, s.user_id, s.created_at, s.last_seen_at)

    async def get(self, token_digest: str) -> Session | None:
        row = await self._conn.fetchrow(_GET, token_digest)
        return Session(**dict(row)) if row else None

    async def touch(self, token_digest: str, now: datetime) -> None:
        await self._conn.execute(_TOUCH, token_digest, now)

    async def revoke(self, token_digest: str) -> None:
        await self._conn.execute(_DELETE, token_digest)

    async def revoke_all(self, user_id: uuid.UUID) -> int:
        status = await self._conn.execute(_DELETE_USER, user_id)
        return int(status.split()[-1])

    async def purge(self, created_before: datetime, seen_before: datetime) -> int:
        status = await self._conn.execute(_PURGE, created_before, seen_before)
        return int(status.split()[-1])
