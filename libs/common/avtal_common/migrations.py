"""Forward-only SQL migrations: numbered files, applied in order under an advisory lock, checksummed."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

import asyncpg

from avtal_common.logging import get_logger

log = get_logger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# One fixed key: every migrating process of every service serialises on it (per database).
_LOCK_KEY = 0x41565441  # "AVTA"

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    id          text PRIMARY KEY,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)"""


class MigrationError(RuntimeError):
    """A migration that was applied has changed, or a file is misnamed."""


@dataclass(frozen=True)
class Migration:
    id: str  # "<set>:<number>_<name>", e.g. "common:0001_outbox_inbox"
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(set_name: str, folder: Traversable) -> list[Migration]:
    found = []
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        if not _NAME.match(entry.name):
            raise MigrationError(f"migration file {entry.name!r} must be named NNNN_name.sql")
        found.append(Migration(f"{set_name}:{entry.name[:-4]}", entry.read_text()))
    return sorted(found, key=lambda m: m.id)


def common_migrations() -> list[Migration]:
    return load_migrations("common", resources.files("avtal_common") / "migrations")


def package_migrations(package: str) -> list[Migration]:
    return load_migrations(package, resources.files(package) / "migrations")


async def applied(conn: asyncpg.Connection) -> dict[str, str]:
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return {}
    rows = await conn.fetch("SELECT id, checksum FROM schema_migrations")
    return {r["id"]: r["checksum"] for r in rows}


def pending(migrations: list[Migration], done: dict[str, str]) -> list[Migration]:
    todo = []
    for m in migrations:
        if m.id not in done:
            todo.append(m)
        elif done[m.id] != m.checksum:
            raise MigrationError(f"migration {m.id} was changed after it was applied; add a new one")
    return todo


async def migrate(conn: asyncpg.Connection, migrations: list[Migration]) -> list[str]:
    """Apply what is pending, each in its own transaction; returns the ids applied now."""
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(_CREATE_TABLE)
        todo = pending(migrations, await applied(conn))
        for m in todo:
            async with conn.transaction():
                await conn.execute(m.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)", m.id, m.checksum
                )
            log.info("migration.applied", migration=m.id)
        return [m.id for m in todo]
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)


async def is_current(conn: asyncpg.Connection, migrations: list[Migration]) -> bool:
    try:
        return not pending(migrations, await applied(conn))
    except MigrationError:
        return False
