"""PostgreSQL on asyncpg: one pool per service, its own database, created on first use."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from avtal_common.logging import get_logger

if TYPE_CHECKING:
    from avtal_common.settings import CommonSettings

log = get_logger(__name__)


@dataclass(frozen=True)
class SessionLimits:
    """What every pooled session gets (CommonSettings `db_*`); the defaults are the settings' defaults."""

    statement_timeout_s: float = 120.0
    lock_timeout_s: float = 10.0
    idle_in_transaction_timeout_s: float = 60.0
    keepalives_idle_s: int = 10
    keepalives_interval_s: int = 5
    keepalives_count: int = 3

    @classmethod
    def from_settings(cls, common: CommonSettings) -> SessionLimits:
        return cls(
            common.db_statement_timeout_s,
            common.db_lock_timeout_s,
            common.db_idle_in_transaction_timeout_s,
            common.db_keepalives_idle_s,
            common.db_keepalives_interval_s,
            common.db_keepalives_count,
        )

    @staticmethod
    def _ms(seconds: float) -> str:
        return str(int(seconds * 1000))

    def server_settings(self, application_name: str) -> dict[str, str]:
        return {
            "application_name": application_name,
            "statement_timeout": self._ms(self.statement_timeout_s),
            "lock_timeout": self._ms(self.lock_timeout_s),
            "idle_in_transaction_session_timeout": self._ms(self.idle_in_transaction_timeout_s),
            "tcp_keepalives_idle": str(self.keepalives_idle_s),
            "tcp_keepalives_interval": str(self.keepalives_interval_s),
            "tcp_keepalives_count": str(self.keepalives_count),
        }


async def _init_connection(conn: asyncpg.Connection, limits: SessionLimits) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    _keep_alive(conn, limits)


def _keep_alive(conn: asyncpg.Connection, limits: SessionLimits) -> None:
    """Client-side keepalives too, so this process notices a vanished server on an idle connection
    (the relay's LISTEN connection). asyncpg has no option for it; its transport has the socket."""
    transport = getattr(conn, "_transport", None)
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None or sock.family == socket.AF_UNIX:
        return
    options = (
        ("TCP_KEEPIDLE", limits.keepalives_idle_s),
        ("TCP_KEEPINTVL", limits.keepalives_interval_s),
        ("TCP_KEEPCNT", limits.keepalives_count),
    )
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for name, value in options:
            if hasattr(socket, name):  # Linux names; other systems keep their defaults
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)
    except OSError as exc:
        log.warning("database.keepalive_unavailable", error=repr(exc))


async def create_pool(
    url: str,
    min_size: int = 2,
    max_size: int = 10,
    limits: SessionLimits | None = None,
    application_name: str = "avtal",
) -> asyncpg.Pool:
    limits = limits or SessionLimits()
    pool: asyncpg.Pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=lambda conn: _init_connection(conn, limits),
        server_settings=limits.server_settings(application_name),
        # The client-side bound: a little after the server's, for a server that cannot even answer.
        command_timeout=limits.statement_timeout_s + 5,
    )
    return pool


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def ensure_database(url: str) -> None:
    """Create the database `url` names if it is missing (needs CREATEDB; harmless if it exists)."""
    name = _database_name(url)
    try:
        conn = await asyncpg.connect(url)
        await conn.close()
        return
    except asyncpg.InvalidCatalogNameError:
        pass
    admin = await asyncpg.connect(_with_database(url, "postgres"))
    try:
        ident = '"' + name.replace('"', '""') + '"'
        await admin.execute(f"CREATE DATABASE {ident}")
        log.info("database.created", database=name)
    except asyncpg.DuplicateDatabaseError:
        pass
    finally:
        await admin.close()
