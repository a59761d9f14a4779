"""`avtal migrate`: create each service's database if missing and apply its migrations."""

from __future__ import annotations

import os

import asyncpg

from avtal_common.db import ensure_database
from avtal_common.migrations import common_migrations, migrate, package_migrations
from avtal_common.settings import CommonSettings
from avtal_stack.config import SERVICES


def database_url(server_url: str, service: str) -> str:
    """The service's own AVTAL_<SVC>_DATABASE_URL, else database avtal_<service> on the server."""
    own = os.environ.get(f"AVTAL_{service.upper()}_DATABASE_URL")
    return own or CommonSettings(postgres_url=server_url).database_url(f"avtal_{service}")


async def migrate_service(server_url: str, service: str) -> list[str]:
    url = database_url(server_url, service)
    await ensure_database(url)
    conn = await asyncpg.connect(url)
    try:
        return await migrate(conn, common_migrations() + package_migrations(f"avtal_{service}"))
    finally:
        await conn.close()


async def migrate_all(server_url: str) -> dict[str, list[str]]:
    return {s: await migrate_service(server_url, s) for s in SERVICES}
