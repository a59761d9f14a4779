"""Errors shared by every layer; `DomainError` means 'this can never succeed' (dead-letter, 4xx)."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the command or event; retrying will not help."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class Conflict(DomainError):
    """The request contradicts the current state (duplicate, stale version)."""


class Unavailable(Exception):
    """The service's own state says "not now" (e.g. its read models are being rebuilt): a consumer waits
    it out and retries, as for an outage, and dead-letters nothing."""
