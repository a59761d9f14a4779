"""Sign-in rate limits: how many failed attempts an account and a client address may make per window."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from avtal_common.errors import DomainError


@dataclass(frozen=True)
class LoginLimits:
    per_account: int
    per_address: int
    window: timedelta


@dataclass(frozen=True)
class RecentAttempts:
    """Attempts within the window, the current one included, and when the oldest of each was made."""

    account: int
    address: int
    account_oldest: datetime | None
    address_oldest: datetime | None


class TooManyAttempts(DomainError):
    """Refused before the password is even checked; `retry_after_s` says when to try again."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many sign-in attempts; try again in {retry_after_s} seconds")
        self.retry_after_s = retry_after_s


def check_attempts(recent: RecentAttempts, limits: LoginLimits, now: datetime) -> None:
    """Raise TooManyAttempts when this attempt is over either limit."""
    waits = []
    if recent.account > limits.per_account and recent.account_oldest is not None:
        waits.append(recent.account_oldest + limits.window - now)
    if recent.address > limits.per_address and recent.address_oldest is not None:
        waits.append(recent.address_oldest + limits.window - now)
    if waits:
        # The oldest attempt leaving the window brings the count back to the limit.
        raise TooManyAttempts(max(1, math.ceil(max(waits).total_seconds())))
