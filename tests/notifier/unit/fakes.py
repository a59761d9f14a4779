"""In-memory e-mail queue, mailer and PDF fetcher of the notifier, for handler tests.

The queue has no unique key on (event, kind): only the inbox keeps a redelivered event from queueing
a second e-mail. It keeps its own clock, so a test can move time past a retry delay."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from avtal_notifier.domain.emails import Email
from avtal_testing.fakes import FakeUnitOfWork


class FakeEmailRepo:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Email] = {}
        self.due_at: dict[uuid.UUID, datetime] = {}
        self.now = datetime(2025, 4, 1, 8, 0, tzinfo=UTC)

    async def add(self, e: Email) -> None:
        self.rows[e.email_id] = replace(e, created_at=self.now)
        self.due_at[e.email_id] = self.now

    async def claim_due(self, limit: int) -> list[Email]:
        due = [e for e in self.rows.values() if e.status == "pending" and self.due_at[e.email_id] <= self.now]
        return sorted(due, key=lambda e: self.due_at[e.email_id])[:limit]

    async def mark_sent(self, email_id: uuid.UUID) -> None:
        self._update(email_id, status="sent", sent_at=self.now)

    async def mark_retry(self, email_id: uuid.UUID, error: str, delay: timedelta) -> None:
        self._update(email_id, last_error=error)
        self.due_at[email_id] = self.now + delay

    async def mark_failed(self, email_id: uuid.UUID, error: str) -> None:
        self._update(email_id, status="failed", last_error=error)

    async def list(self, limit: int, offset: int) -> list[Email]:
        newest = sorted(self.rows.values(), key=lambda e: e.created_at or self.now, reverse=True)
        return newest[offset : offset + limit]

    async def count(self) -> int:
        return len(self.rows)

    def _update(self, email_id: uuid.UUID, **changes: Any) -> None:
        email = self.rows[email_id]
        self.rows[email_id] = replace(email, attempts=email.attempts + 1, **changes)


class FakeNotifierUnitOfWork(FakeUnitOfWork):
    producer = "notifier"

    def bind_repositories(self) -> None:
        self.emails = FakeEmailRepo()

    def snapshot(self) -> Any:
        return dict(self.emails.rows), dict(self.emails.due_at)

    def restore(self, state: Any) -> None:
        self.emails.rows, self.emails.due_at = state


class FakeMailer:
    """Accepts every message, or refuses the next `failures` ones."""

    def __init__(self, failures: int = 0) -> None:
        self.sent: list[EmailMessage] = []
        self.failures = failures

    async def send(self, message: EmailMessage) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("SMTP server refused the connection")
        self.sent.append(message)


class FakePdfFetcher:
    """Billing's documents by path; like the real one, refuses a document whose hash differs."""

    def __init__(self, documents: dict[str, bytes] | None = None) -> None:
        self.documents = dict(documents or {})

    async def fetch(self, path: str, sha256: str) -> bytes:
        pdf = self.documents[path]
        if hashlib.sha256(pdf).hexdigest() != sha256:
            raise ValueError(f"document {path} does not match the hash in its event")
        return pdf
