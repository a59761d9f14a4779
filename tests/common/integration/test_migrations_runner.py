"""The migration runner: parallel starters apply each migration once; an edited one is refused."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from avtal_common.db import ensure_database
from avtal_common.migrations import Migration, MigrationError, applied, is_current, migrate
from avtal_testing.stack import StackInfo

MIGRATIONS = [
    Migration("t:0001_counter", "CREATE TABLE counter (n integer); INSERT INTO counter VALUES (0);"),
    Migration("t:0002_bump", "SELECT pg_sleep(0.2); UPDATE counter SET n = n + 1;"),
]


async def test_parallel_migrations_apply_each_file_exactly_once(stack: StackInfo) -> None:
    url = stack.database_url(f"migr_{uuid.uuid4().hex[:8]}")
    await ensure_database(url)
    conns = [await asyncpg.connect(url) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate(c, MIGRATIONS) for c in conns))
        assert sorted(len(r) for r in results) == [0, 0, 0, 2]
        assert await conns[0].fetchval("SELECT n FROM counter") == 1
        assert set(await applied(conns[0])) == {m.id for m in MIGRATIONS}
        assert await is_current(conns[0], MIGRATIONS)
        edited = [MIGRATIONS[0], Migration("t:0002_bump", "UPDATE counter SET n = n + 100;")]
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate(conns[0], edited)
        assert not await is_current(conns[0], edited)
        assert not await is_current(conns[0], [*MIGRATIONS, Migration("t:0003_new", "SELECT 1")])
    finally:
        for c in conns:
            await c.close()
