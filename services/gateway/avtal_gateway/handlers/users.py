"""Gateway use cases: sign-in, user creation, the first staff user."""

from __future__ import annotations

import uuid

import asyncpg

from avtal_common.errors import DomainError
from avtal_common.uow import unit_of_work
from avtal_gateway.adapters.passwords import hash_password, verify_password
from avtal_gateway.domain.users import User, check_password_strength, new_user
from avtal_gateway.store.users import UserRepo


async def authenticate(pool: asyncpg.Pool, email: str, password: str) -> User | None:
    async with pool.acquire() as conn:
        found = await UserRepo(conn).credentials(email)
    ok = await verify_password(found[1] if found else None, password)
    return found[0] if found and ok else None


async def create_user(
    pool: asyncpg.Pool, email: str, password: str, role: str, customer_id: uuid.UUID | None
) -> User:
    check_password_strength(password)
    user = new_user(email, role, customer_id)
    password_hash = await hash_password(password)
    async with unit_of_work(pool, "gateway") as tx:
        await UserRepo(tx.conn).add(user, password_hash)
    return user


async def ensure_staff_user(pool: asyncpg.Pool, email: str, password: str | None) -> None:
    async with pool.acquire() as conn:
        if await UserRepo(conn).exists(email):
            return
    if not password:
        raise DomainError("no staff user exists: set AVTAL_GATEWAY_STAFF_PASSWORD to create the first one")
    await create_user(pool, email, password, "staff", None)
