"""Gateway use cases about users: create, change password, disable/enable, list, the first staff user."""

from __future__ import annotations

import uuid

from avtal_common.errors import DomainError
from avtal_common.logging import get_logger
from avtal_gateway.adapters.passwords import Passwords
from avtal_gateway.domain.commands import ChangePassword, CreateUser
from avtal_gateway.domain.logins import LoginLimits
from avtal_gateway.domain.users import User, check_password_strength, new_user
from avtal_gateway.handlers.sessions import count_attempt, open_session
from avtal_gateway.store.unit_of_work import GatewayUnitOfWork

log = get_logger(__name__)


async def create_user(uow: GatewayUnitOfWork, passwords: Passwords, cmd: CreateUser) -> User:
    check_password_strength(cmd.password)
    user = new_user(cmd.email, cmd.role, cmd.customer_id)
    password_hash = await passwords.hash(cmd.password)
    async with uow:
        await uow.users.add(user, password_hash)
    return user


async def change_password(
    uow: GatewayUnitOfWork, passwords: Passwords, cmd: ChangePassword, limits: LoginLimits
) -> str:
    """Every session of the user ends; the caller gets a fresh one (its token is returned)."""
    check_password_strength(cmd.new_password)
    async with uow:
        user = await uow.users.get(cmd.user_id)
    found = await count_attempt(uow, user.email, cmd.address, limits)
    if not await passwords.verify(found[1] if found else None, cmd.current_password):
        raise DomainError("the current password is not correct")
    new_hash = await passwords.hash(cmd.new_password)
    async with uow:
        await uow.users.set_password(user.user_id, new_hash)
        await uow.sessions.revoke_all(user.user_id)
        await uow.login_attempts.forget_account(user.email)
        return await open_session(uow, user.user_id)


async def set_disabled(uow: GatewayUnitOfWork, actor: User, user_id: uuid.UUID, disabled: bool) -> User:
    """Disabling ends every session of the user at once; staff cannot lock themselves out."""
    if disabled and actor.user_id == user_id:
        raise DomainError("you cannot disable your own user; ask another staff user")
    async with uow:
        await uow.users.get(user_id)
        await uow.users.set_disabled(user_id, disabled)
        if disabled:
            await uow.sessions.revoke_all(user_id)
        return await uow.users.get(user_id)


async def list_users(uow: GatewayUnitOfWork, limit: int, offset: int) -> tuple[list[User], int]:
    async with uow:
        return await uow.users.list(limit, offset)


async def ensure_staff_user(
    uow: GatewayUnitOfWork, passwords: Passwords, email: str, password: str | None
) -> str:
    """Create the first staff user, or give an existing one the configured password (ending its
    sessions). Returns what it did: "created", "password updated" or "unchanged"."""
    async with uow:
        found = await uow.users.credentials(email)
    if found is None:
        if not password:
            raise DomainError(
                "no staff user exists: set AVTAL_GATEWAY_STAFF_PASSWORD to create the first one"
            )
        await create_user(uow, passwords, CreateUser(email, password, "staff"))
        log.info("gateway.staff_user_created", email=email)
        return "created"
    user, current_hash = found
    if not password or await passwords.verify(current_hash, password):
        return "unchanged"
    if not user.is_staff:
        raise DomainError(f"AVTAL_GATEWAY_STAFF_EMAIL {email} belongs to a customer user, not staff")
    check_password_strength(password)
    new_hash = await passwords.hash(password)
    async with uow:
        await uow.users.set_password(user.user_id, new_hash)
        await uow.sessions.revoke_all(user.user_id)
    log.warning("gateway.staff_password_updated", email=email, reason="AVTAL_GATEWAY_STAFF_PASSWORD differs")
    return "password updated"
