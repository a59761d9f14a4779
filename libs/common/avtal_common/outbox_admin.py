"""Seeing the outbox from outside the relay: gauges on their own loop, and quarantined rows for staff."""

from __future__ import annotations

import asyncio
import hmac
import time
import uuid
from datetime import datetime
from typing import Any

import asyncpg
from litestar import Controller, delete, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from pydantic import BaseModel

from avtal_common import metrics
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.errors import NotFound
from avtal_common.logging import get_logger

log = get_logger(__name__)

# Counted in their own query, so an outage shows as a growing backlog, not as a gauge frozen at its
# last success. Quarantined rows are counted apart: they wait for staff, not for the relay.
_GAUGES = """
SELECT count(*) FILTER (WHERE quarantined_at IS NULL) AS waiting,
       count(*) FILTER (WHERE quarantined_at IS NOT NULL) AS quarantined,
       COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE quarantined_at IS NULL)), 0)::float8
           AS oldest_age
FROM outbox WHERE published_at IS NULL
"""
_PURGE = "DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)"
_LIST = """
SELECT id, event_id, topic, key, octet_length(payload) AS size_bytes, attempts, last_error, created_at,
       quarantined_at, count(*) OVER () AS total
FROM outbox WHERE quarantined_at IS NOT NULL AND published_at IS NULL ORDER BY id LIMIT $1 OFFSET $2
"""
_RETRY = """
UPDATE outbox SET quarantined_at = NULL
WHERE event_id = $1 AND quarantined_at IS NOT NULL AND published_at IS NULL RETURNING id"""
_DISCARD = """
DELETE FROM outbox WHERE event_id = $1 AND quarantined_at IS NOT NULL AND published_at IS NULL
RETURNING id, topic, key, last_error"""


_REPUBLISH = """
UPDATE outbox SET published_at = NULL
WHERE published_at > now() - make_interval(secs => $1) AND quarantined_at IS NULL"""


async def republish_recent(pool: asyncpg.Pool, service: str, seconds: float) -> None:
    """Queue the rows published in the last `seconds` again (a broker that lost its data; see
    `CommonSettings.outbox_republish_s`); the relay sends them in id order, so each key keeps its order."""
    if seconds <= 0:
        return
    status = await pool.execute(_REPUBLISH, seconds)
    count = int(status.split()[-1])
    if count:
        log.info("outbox.republished", service=service, rows=count, within_s=seconds)


async def watch_outbox(
    pool: asyncpg.Pool, service: str, interval_s: float = 1.0, retention_s: float = 86400.0
) -> None:
    """Refresh the outbox gauges every `interval_s`; purge rows published `retention_s` ago once a minute."""
    last_purge = 0.0
    while True:
        try:
            async with pool.acquire(timeout=interval_s * 5) as conn:
                row = await conn.fetchrow(_GAUGES, timeout=interval_s * 5)
                if time.monotonic() - last_purge >= 60.0:  # a scan of sent rows: once a minute is plenty
                    last_purge = time.monotonic()
                    await conn.execute(_PURGE, retention_s)
            metrics.OUTBOX_BACKLOG.labels(service).set(row["waiting"])
            metrics.OUTBOX_OLDEST_AGE.labels(service).set(row["oldest_age"])
            metrics.OUTBOX_QUARANTINED.labels(service).set(row["quarantined"])
        except Exception as exc:  # noqa: BLE001 - the database check reports the outage; try again
            log.debug("outbox.gauges_unavailable", error=repr(exc))
        await asyncio.sleep(interval_s)


class QuarantinedRow(BaseModel):
    id: int
    event_id: str
    topic: str
    key: str
    size_bytes: int
    attempts: int
    last_error: str | None
    created_at: datetime
    quarantined_at: datetime


def outbox_controller(token: str) -> type[Controller]:
    """`/outbox/quarantined`: list, retry (after the cause is fixed) or discard rows the relay could not
    send. Mounted on the internal services; it checks the service token itself too, wherever mounted."""

    def service_token_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        sent = connection.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            raise NotAuthorizedException(
                "send the service token: `Authorization: Bearer <AVTAL_SERVICE_TOKEN>`"
            )

    class OutboxController(Controller):
        path = "/outbox/quarantined"
        guards = [service_token_only]
        tags = ["outbox"]

        @get("/")
        async def quarantined(
            self, pool: asyncpg.Pool, limit: Limit = 100, offset: Offset = 0
        ) -> Page[QuarantinedRow]:
            rows = await pool.fetch(_LIST, limit, offset)
            items = [QuarantinedRow(**{**dict(r), "event_id": str(r["event_id"])}) for r in rows]
            total = rows[0]["total"] if rows else 0
            return Page[QuarantinedRow](items=items, total=total, limit=limit, offset=offset)

        @post("/{event_id:uuid}/retry", status_code=202)
        async def retry(self, pool: asyncpg.Pool, event_id: uuid.UUID) -> dict[str, str]:
            if await pool.fetchval(_RETRY, event_id) is None:
                raise NotFound(f"no quarantined outbox row for event {event_id}; see /outbox/quarantined")
            await pool.execute("SELECT pg_notify('avtal_outbox', '')")
            log.warning("outbox.quarantine_retried", event_id=str(event_id))
            return {"event_id": str(event_id)}

        @delete("/{event_id:uuid}", status_code=204)
        async def discard(self, pool: asyncpg.Pool, event_id: uuid.UUID) -> None:
            row = await pool.fetchrow(_DISCARD, event_id)
            if row is None:
                raise NotFound(f"no quarantined outbox row for event {event_id}; see /outbox/quarantined")
            await pool.execute("SELECT pg_notify('avtal_outbox', '')")  # its key's later rows may go now
            details = {k: str(v) for k, v in row.items()}
            log.warning("outbox.quarantine_discarded", event_id=str(event_id), **details)

    return OutboxController
