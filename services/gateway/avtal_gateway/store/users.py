"""User repository (asyncpg)."""

from __future__ import annotations

import uuid

import asyncpg

from avtal_common.errors import Conflict
from avtal_gateway.domain.users import User

_COLS = "user_id, email, role, customer_id"


class UserRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, user: User, password_hash: str) -> None:
        try:
            await self._conn.execute(
                f"INSERT INTO users ({_COLS}, password_hash) VALUES ($1, $2, $3, $4, $5)",
                user.user_id,
                user.email,
                user.role,
                user.customer_id,
                password_hash,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(f"a user with e-mail {user.email} already exists") from None

    async def get(self, user_id: uuid.UUID) -> User | None:
        row = await self._conn.fetchrow(f"SELECT {_COLS} FROM users WHERE user_id = $1", user_id)
        return User(**dict(row)) if row else None

    async def credentials(self, email: str) -> tuple[User, str] | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLS}, password_hash FROM users WHERE lower(email) = lower($1)", email.strip()
        )
        if row is None:
            return None
        values = dict(row)
        return User(**{k: values[k] for k in ("user_id", "email", "role", "customer_id")}), values[
            "password_hash"
        ]

    async def exists(self, email: str) -> bool:
        return await self._conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1))", email.strip()
        )
