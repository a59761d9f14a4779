"""E-mails the notifier sends, and when it tries again. Pure: no templates, no SMTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

SUPPORTED_LOCALES = ("en", "sv")


@dataclass(frozen=True)
class Email:
    email_id: uuid.UUID
    cause_event_id: uuid.UUID  # the event it answers: one e-mail of each kind per event and recipient
    kind: str
    recipient: str
    subject: str
    body_text: str
    attachment_name: str | None = None
    attachment_path: str | None = None
    attachment_sha256: str | None = None
    correlation_id: str | None = None
    body_html: str | None = None
    customer_id: uuid.UUID | None = None  # None for staff notices
    # Delivery state, kept by the store.
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    created_at: datetime | None = None


def locale_of(value: str | None) -> str:
    return value if value in SUPPORTED_LOCALES else "en"


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff between SMTP attempts: 5 s, 10 s, 20 s … capped at one hour."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


def jittered(delay: timedelta, draw: float) -> timedelta:
    """`delay` stretched by up to a quarter (`draw` in [0, 1)): mails that failed together during an
    outage do not all come back in the same second when it ends."""
    return delay * (1 + 0.25 * min(max(draw, 0.0), 1.0))


def gives_up(attempts: int, max_attempts: int) -> bool:
    """After `attempts` failed tries, whether the e-mail is failed for good rather than retried."""
    return attempts >= max_attempts
