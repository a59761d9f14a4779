"""Every pooled session carries its limits: a runaway statement, a lock wait and an abandoned
transaction are ended by PostgreSQL itself, whatever the client does."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from avtal_common.db import SessionLimits, create_pool
from avtal_testing.plumbing import Scratch

LIMITS = SessionLimits(statement_timeout_s=1.0, lock_timeout_s=0.5, idle_in_transaction_timeout_s=1.0)


async def test_pooled_sessions_carry_the_timeouts_and_keepalives(world: Scratch) -> None:
    pool = await create_pool(world.db_url, limits=LIMITS, application_name="limits-test")
    try:
        async with pool.acquire() as conn:
            shown = {
                name: await conn.fetchval(f"SHOW {name}")
                for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")
            }
            assert shown == {
                "statement_timeout": "1s",
                "lock_timeout": "500ms",
                "idle_in_transaction_session_timeout": "1s",
            }
            assert await conn.fetchval("SHOW application_name") == "limits-test"
            with pytest.raises(asyncpg.QueryCanceledError):
                await conn.execute("SELECT pg_sleep(3)")
    finally:
        await pool.close()


async def test_a_lock_wait_ends_with_lock_timeout(world: Scratch) -> None:
    pool = await create_pool(world.db_url, limits=LIMITS)
    try:
        async with pool.acquire() as holder, holder.transaction():
            await holder.execute("LOCK TABLE outbox IN EXCLUSIVE MODE")
            async with pool.acquire() as waiter:
                with pytest.raises(asyncpg.LockNotAvailableError):
                    await waiter.execute("UPDATE outbox SET attempts = 0")
    finally:
        await pool.close()


async def test_a_transaction_left_idle_is_ended_by_the_server_and_its_locks_freed(world: Scratch) -> None:
    pool = await create_pool(world.db_url, limits=LIMITS)
    try:
        quiet = await pool.acquire()
        pid = quiet.get_server_pid()
        await quiet.execute("BEGIN; LOCK TABLE outbox IN EXCLUSIVE MODE")
        # The client now goes quiet inside its transaction; another session needs the table.
        started = asyncio.get_running_loop().time()
        async with world.pool.acquire() as other:
            await other.execute("UPDATE outbox SET attempts = 0")  # waits for the lock, then gets it
            alive = await other.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid)
        assert asyncio.get_running_loop().time() - started < 5
        assert alive == 0
    finally:
        pool.terminate()
