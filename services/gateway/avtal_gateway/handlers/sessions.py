"""Gateway use cases about sessions: sign in (rate limited), the signed-in user, sign out, clean-up."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from avtal_gateway.adapters.passwords import Passwords
from avtal_gateway.domain.commands import SignIn
from avtal_gateway.domain.logins import LoginLimits, check_attempts
from avtal_gateway.domain.sessions import SessionLimits, digest, new_session
from avtal_gateway.domain.users import User
from avtal_gateway.store.unit_of_work import GatewayUnitOfWork


def _now() -> datetime:
    return datetime.now(UTC)


def account_key(email: str) -> str:
    return email.strip().lower()


async def count_attempt(
    uow: GatewayUnitOfWork, email: str, address: str, limits: LoginLimits
) -> tuple[User, str] | None:
    """Record one password attempt and return the account's credentials; over a limit it raises
    TooManyAttempts before anyone computes a hash (and the refused attempt is rolled back)."""
    now = _now()
    async with uow:
        recent = await uow.login_attempts.record(account_key(email), address, now, now - limits.window)
        check_attempts(recent, limits, now)
        return await uow.users.credentials(account_key(email))


async def open_session(uow: GatewayUnitOfWork, user_id: uuid.UUID) -> str:
    """Inside the caller's transaction: a new session; returns the token for the cookie."""
    token, session = new_session(user_id, _now())
    await uow.sessions.add(session)
    return token


async def sign_in(
    uow: GatewayUnitOfWork, passwords: Passwords, cmd: SignIn, limits: LoginLimits
) -> tuple[User, str] | None:
    """The user and its new session token, or None for a wrong e-mail, password or a disabled user."""
    found = await count_attempt(uow, cmd.email, cmd.address, limits)
    ok = await passwords.verify(found[1] if found else None, cmd.password)
    if found is None or not ok or found[0].disabled:
        return None
    user = found[0]
    async with uow:
        await uow.login_attempts.forget_account(account_key(cmd.email))
        return user, await open_session(uow, user.user_id)


async def current_user(uow: GatewayUnitOfWork, token: str, limits: SessionLimits) -> User | None:
    """The user of a live session, or None (unknown, revoked, idle, too old, or the user disabled)."""
    now = _now()
    async with uow:
        session = await uow.sessions.get(digest(token))
        if session is None:
            return None
        if not session.is_live(now, limits):
            await uow.sessions.revoke(session.token_digest)
            return None
        user = await uow.users.find(session.user_id)
        if user is None or user.disabled:
            return None
        if session.needs_touch(now):
            await uow.sessions.touch(session.token_digest, now)
        return user


async def sign_out(uow: GatewayUnitOfWork, user_id: uuid.UUID) -> int:
    """Signing out ends every session of the user, on every device."""
    async with uow:
        return await uow.sessions.revoke_all(user_id)


async def purge_expired(uow: GatewayUnitOfWork, sessions: SessionLimits, logins: LoginLimits) -> int:
    now = _now()
    async with uow:
        gone = await uow.sessions.purge(now - sessions.absolute, now - sessions.idle)
        return gone + await uow.login_attempts.purge(now - logins.window)
