"""Server-side sessions: an unguessable token in the cookie, only its digest in the database."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

# A busy session's last_seen_at is written at most this often (one write per minute, not per request).
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True)
class Session:
    token_digest: str
    user_id: uuid.UUID
    created_at: datetime
    last_seen_at: datetime

    def is_live(self, now: datetime, limits: SessionLimits) -> bool:
        return now - self.created_at < limits.absolute and now - self.last_seen_at < limits.idle

    def needs_touch(self, now: datetime) -> bool:
        return now - self.last_seen_at >= TOUCH_EVERY


def digest(token: str) -> str:
    """What the database keeps: a leaked table row cannot be replayed as a cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_session(user_id: uuid.UUID, now: datetime) -> tuple[str, Session]:
    token = secrets.token_urlsafe(32)
    return token, Session(digest(token), user_id, now, now)
