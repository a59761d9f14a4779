"""E-mail repository (asyncpg): the queue the mailer drains, and its delivery log."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg

from avtal_notifier.domain.emails import Email

_COLUMNS = (
    "email_id, cause_event_id, kind, recipient, subject, body_text, attachment_name, "
    "attachment_path, attachment_sha256, correlation_id, body_html, customer_id"
)
_STATE = "status, attempts, last_error, sent_at, created_at"
# One e-mail per (event, kind, recipient): a redelivered event or a second replica queueing the same
# reminder adds nothing (the inbox stops most of them first; this key is the rule).
_ADD = f"""
INSERT INTO emails ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (cause_event_id, kind, recipient) DO NOTHING
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
_FILTER = "WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR customer_id = $2)"
_LIST = f"""
SELECT {_COLUMNS}, {_STATE} FROM emails {_FILTER}
ORDER BY created_at DESC, email_id LIMIT $3 OFFSET $4
"""
_COUNT = f"SELECT count(*) FROM emails {_FILTER}"


class EmailRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, e: Email) -> bool:
        """Queue `e`; False when this event already has its e-mail of this kind to this recipient."""
        status = await self._conn.execute(
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
            e.body_html,
            e.customer_id,
        )
        return bool(status.endswith(" 1"))

    async def claim_due(self, limit: int) -> list[Email]:
        """Pending e-mails whose next attempt is due, locked until the unit of work ends."""
        return [_email(r) for r in await self._conn.fetch(_CLAIM, limit)]

    async def mark_sent(self, email_id: uuid.UUID) -> None:
        await self._conn.execute(_SENT, email_id)

    async def mark_retry(self, email_id: uuid.UUID, error: str, delay: timedelta) -> None:
        await self._conn.execute(_RETRY, email_id, error[:2000], delay)

    async def mark_failed(self, email_id: uuid.UUID, error: str) -> None:
        await self._conn.execute(_FAILED, email_id, error[:2000])

    async def list(
        self, limit: int, offset: int, status: str | None = None, customer_id: uuid.UUID | None = None
    ) -> list[Email]:
        """The newest e-mails first, `limit` of them from `offset` on, of one status or customer."""
        rows = await self._conn.fetch(_LIST, status, customer_id, limit, offset)
        return [_email(r) for r in rows]

    async def count(self, status: str | None = None, customer_id: uuid.UUID | None = None) -> int:
        return int(await self._conn.fetchval(_COUNT, status, customer_id))


def _email(row: asyncpg.Record) -> Email:
    return Email(**dict(row))
