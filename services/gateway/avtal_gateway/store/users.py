"""User repository (asyncpg)."""

from __future__ import annotations

import uuid

import asyncpg

from avtal_common.errors import Conflict, NotFound
from avtal_gateway.domain.users import User

_COLS = "user_id, email, role, customer_id, disabled_at IS NOT NULL AS disabled"
_INSERT = "INSERT INTO users (user_id, email, role, customer_id, password_hash) VALUES ($1, $2, $3, $4, $5)"
_GET = f"SELECT {_COLS} FROM users WHERE user_id = $1"
_CREDENTIALS = f"SELECT {_COLS}, password_hash FROM users WHERE lower(email) = lower($1)"
_SET_HASH = "UPDATE users SET password_hash = $2 WHERE user_id = $1"
_SET_DISABLED = (
    "UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END WHERE user_id = $1"
)
_LIST = f"SELECT {_COLS} FROM users ORDER BY lower(email) LIMIT $1 OFFSET $2"
_COUNT = "SELECT count(*) FROM users"


class UserRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, user: User, password_hash: str) -> None:
        try:
            await self._conn.execute(
                _INSERT, user.user_id, user.email, user.role, user.customer_id, password_hash
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(f"a user with e-mail {user.email} already exists") from None

    async def get(self, user_id: uuid.UUID) -> User:
        row = await self._conn.fetchrow(_GET, user_id)
        if row is None:
            raise NotFound(f"user {user_id} does not exist")
        return _user(row)

    async def find(self, user_id: uuid.UUID) -> User | None:
        row = await self._conn.fetchrow(_GET, user_id)
        return _user(row) if row else None

    async def credentials(self, email: str) -> tuple[User, str] | None:
        row = await self._conn.fetchrow(_CREDENTIALS, email.strip())
        return (_user(row), row["password_hash"]) if row else None

    async def set_password(self, user_id: uuid.UUID, password_hash: str) -> None:
        await self._conn.execute(_SET_HASH, user_id, password_hash)

    async def set_disabled(self, user_id: uuid.UUID, disabled: bool) -> None:
        await self._conn.execute(_SET_DISABLED, user_id, disabled)

    async def list(self, limit: int, offset: int) -> tuple[list[User], int]:
        rows = await self._conn.fetch(_LIST, limit, offset)
        return [_user(r) for r in rows], await self._conn.fetchval(_COUNT)


def _user(row: asyncpg.Record) -> User:
    return User(row["user_id"], row["email"], row["role"], row["customer_id"], row["disabled"])
