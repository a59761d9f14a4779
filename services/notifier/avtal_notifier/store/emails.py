"""E-mail repository (asyncpg)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg

from avtal_notifier.domain.emails import Email

_COLS = (
    "email_id, cause_event_id, kind, recipient, subject, body_text, attachment_name, "
    "attachment_path, attachment_sha256, correlation_id"
)
_ADD = f"""
INSERT INTO emails ({_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (cause_event_id, kind) DO NOTHING
"""
_CLAIM = f"""
SELECT {_COLS}, attempts FROM emails WHERE status = 'pending' AND next_attempt_at <= now()
ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
"""


class EmailRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, e: Email) -> None:
        await self._conn.execute(
            _ADD,
            e.email_id,
            e.cause_event_id,
            e.kind,
            e.recipient,
            e.subject,
            e.body_text,
            e.attachment_name,
            e.attachment_path,
            e.attachment_sha256,
            e.correlation_id,
        )

    async def claim_due(self, limit: int) -> list[tuple[Email, int]]:
        rows = await self._conn.fetch(_CLAIM, limit)
        return [(Email(*[r[c.strip()] for c in _COLS.split(",")]), r["attempts"]) for r in rows]

    async def mark_sent(self, email_id: uuid.UUID) -> None:
        await self._conn.execute(
            "UPDATE emails SET status = 'sent', sent_at = now(), attempts = attempts + 1 WHERE email_id = $1",
            email_id,
        )

    async def mark_retry(self, email_id: uuid.UUID, error: str, delay: timedelta) -> None:
        await self._conn.execute(
            "UPDATE emails SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + $3 "
            "WHERE email_id = $1",
            email_id,
            error[:2000],
            delay,
        )

    async def mark_failed(self, email_id: uuid.UUID, error: str) -> None:
        await self._conn.execute(
            "UPDATE emails SET status = 'failed', attempts = attempts + 1, last_error = $2 "
            "WHERE email_id = $1",
            email_id,
            error[:2000],
        )

    async def recent(self, limit: int) -> list[asyncpg.Record]:
        return await self._conn.fetch(
            "SELECT email_id, kind, recipient, subject, status, attempts, last_error, sent_at, created_at "
            "FROM emails ORDER BY created_at DESC LIMIT $1",
            limit,
        )
