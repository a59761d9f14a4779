"""E-mail repository (asyncpg): the queue the mailer drains, and its delivery log."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg

from avtal_notifier.domain.emails import Email

_COLUMNS = (
    "email_id, cause_event_id, kind, recipient, subject, body_text, attachment_name, "
    "attachment_path, attachment_sha256, correlation_id"
)
_STATE = "status, attempts, last_error, sent_at, created_at"
# The unique (cause_event_id, kind) is a safety net behind the inbox, not the rule.
_ADD = f"""
INSERT INTO emails ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (cause_event_id, kind) DO NOTHING
"""
# Row locks held until the unit of work ends: a second mailer skips what this one is sending.
_CLAIM = f"""
SELECT {_COLUMNS}, {_STATE} FROM emails WHERE status = 'pending' AND next_attempt_at <= now()
ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
"""
_SENT = "UPDATE emails SET status = 'sent', sent_at = now(), attempts = attempts + 1 WHERE email_id = $1"
_RETRY = """
UPDATE emails SET attempts = attempts + 1, last_error = $2, next_attempt_at = now() + $3
WHERE email_id = $1
"""
_FAILED = """
UPDATE emails SET status = 'failed', attempts = attempts + 1, last_error = $2 WHERE email_id = $1
"""
_LIST = f"SELECT {_COLUMNS}, {_STATE} FROM emails ORDER BY created_at DESC, email_id LIMIT $1 OFFSET $2"
_COUNT = "SELECT count(*) FROM emails"


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

    async def claim_due(self, limit: int) -> list[Email]:
        """Pending e-mails whose next attempt is due, locked until the unit of work ends."""
        return [_email(r) for r in await self._conn.fetch(_CLAIM, limit)]

    async def mark_sent(self, email_id: uuid.UUID) -> None:
        await self._conn.execute(_SENT, email_id)

    async def mark_retry(self, email_id: uuid.UUID, error: str, delay: timedelta) -> None:
        await self._conn.execute(_RETRY, email_id, error[:2000], delay)

    async def mark_failed(self, email_id: uuid.UUID, error: str) -> None:
        await self._conn.execute(_FAILED, email_id, error[:2000])

    async def list(self, limit: int, offset: int) -> list[Email]:
        """The newest e-mails first, `limit` of them from `offset` on."""
        return [_email(r) for r in await self._conn.fetch(_LIST, limit, offset)]

    async def count(self) -> int:
        return int(await self._conn.fetchval(_COUNT))


def _email(row: asyncpg.Record) -> Email:
    return Email(**dict(row))
