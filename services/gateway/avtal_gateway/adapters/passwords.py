"""Password hashing with Argon2id (argon2-cffi), off the event loop."""

from __future__ import annotations

import asyncio
from typing import Protocol, runtime_checkable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from prometheus_client import Counter

# Every Argon2 computation (verify or hash): the rate limiter must stop guesses before they cost one.
PASSWORD_CHECKS = Counter(
    "avtal_gateway_password_checks_total", "Argon2 password hash computations (verify or hash)", ["kind"]
)


@runtime_checkable  # Litestar checks injected values against the annotation
class Passwords(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when `password` matches; a missing hash costs the same time and is False."""
        ...


class Argon2Passwords:
    def __init__(self) -> None:
        self._hasher = PasswordHasher()
        # Verifying against this keeps the time of "no such user" equal to "wrong password".
        self._dummy = self._hasher.hash("avtal-dummy-password")

    async def hash(self, password: str) -> str:
        PASSWORD_CHECKS.labels("hash").inc()
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        PASSWORD_CHECKS.labels("verify").inc()
        return await asyncio.to_thread(self._verify, password_hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False
