"""Gateway use cases with the fake unit of work: sign-in and its rate limits, sessions, users."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from gateway.unit.fakes import FakeGatewayUnitOfWork, FakePasswords

from avtal_common.errors import Conflict, DomainError, NotFound
from avtal_gateway.domain.commands import ChangePassword, CreateUser, SignIn
from avtal_gateway.domain.logins import LoginLimits, TooManyAttempts
from avtal_gateway.domain.sessions import SessionLimits, digest
from avtal_gateway.handlers.sessions import current_user, purge_expired, sign_in, sign_out
from avtal_gateway.handlers.users import change_password, create_user, ensure_staff_user, set_disabled

LIMITS = LoginLimits(per_account=3, per_address=5, window=timedelta(minutes=15))
SESSIONS = SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=8))
PASSWORD = "correct horse battery"


@pytest.fixture
def uow() -> FakeGatewayUnitOfWork:
    return FakeGatewayUnitOfWork()


@pytest.fixture
def passwords() -> FakePasswords:
    return FakePasswords()


async def _user(uow: FakeGatewayUnitOfWork, passwords: FakePasswords, email: str = "ann@acme.example"):
    return await create_user(uow, passwords, CreateUser(email, PASSWORD, "customer", uuid.uuid4()))


async def _sign_in(uow, passwords, email="ann@acme.example", password=PASSWORD, address="10.0.0.1"):
    return await sign_in(uow, passwords, SignIn(email, password, address), LIMITS)


async def test_the_right_password_signs_in_and_opens_a_session(uow, passwords) -> None:
    user = await _user(uow, passwords)

    signed = await _sign_in(uow, passwords, email="  ANN@acme.example ")

    assert signed is not None and signed[0] == user
    assert await current_user(uow, signed[1], SESSIONS) == user
    assert list(uow.sessions.rows) == [digest(signed[1])]


async def test_a_wrong_password_or_unknown_email_signs_nobody_in(uow, passwords) -> None:
    await _user(uow, passwords)

    assert await _sign_in(uow, passwords, password="wrong password") is None
    assert await _sign_in(uow, passwords, email="nobody@acme.example") is None
    assert uow.sessions.rows == {}


async def test_attempt_over_the_account_limit_is_refused_before_any_hash(uow, passwords) -> None:
    await _user(uow, passwords)
    for _ in range(LIMITS.per_account):
        assert await _sign_in(uow, passwords, password="wrong password") is None
    before = passwords.computations

    with pytest.raises(TooManyAttempts) as refused:
        await _sign_in(uow, passwords)  # even the right password

    assert passwords.computations == before
    assert 0 < refused.value.retry_after_s <= 15 * 60
    assert len(uow.login_attempts.rows) == LIMITS.per_account  # the refused attempt is not counted


async def test_attempts_over_the_address_limit_are_refused_across_accounts(uow, passwords) -> None:
    for n in range(LIMITS.per_address):
        await _sign_in(uow, passwords, email=f"guess{n}@acme.example", address="10.9.9.9")

    with pytest.raises(TooManyAttempts):
        await _sign_in(uow, passwords, email="another@acme.example", address="10.9.9.9")
    assert await _sign_in(uow, passwords, email="another@acme.example", address="10.0.0.2") is None


async def test_a_successful_sign_in_clears_the_accounts_failures(uow, passwords) -> None:
    await _user(uow, passwords)
    for _ in range(LIMITS.per_account - 1):
        await _sign_in(uow, passwords, password="wrong password")

    assert await _sign_in(uow, passwords) is not None

    assert uow.login_attempts.rows == []


async def test_creating_a_user_with_a_taken_email_writes_nothing(uow, passwords) -> None:
    await _user(uow, passwords)
    before = dict(uow.users.rows)

    with pytest.raises(Conflict):
        await _user(uow, passwords, email="ANN@acme.example")

    assert uow.users.rows == before and uow.rollbacks == 1


async def test_a_refused_user_costs_no_hash_and_writes_nothing(uow, passwords) -> None:
    with pytest.raises(DomainError, match="10 characters"):
        await create_user(uow, passwords, CreateUser("bob@acme.example", "short", "staff"))
    with pytest.raises(DomainError, match="customer_id"):
        await create_user(uow, passwords, CreateUser("bob@acme.example", PASSWORD, "customer"))

    assert uow.users.rows == {} and passwords.computations == 0


async def test_changing_the_password_ends_every_session_and_opens_a_new_one(uow, passwords) -> None:
    user = await _user(uow, passwords)
    _, laptop = await _sign_in(uow, passwords)
    _, phone = await _sign_in(uow, passwords)

    fresh = await change_password(
        uow, passwords, ChangePassword(user.user_id, PASSWORD, "new password!", "x"), LIMITS
    )

    assert await current_user(uow, laptop, SESSIONS) is None
    assert await current_user(uow, phone, SESSIONS) is None
    assert await current_user(uow, fresh, SESSIONS) == user
    assert await _sign_in(uow, passwords, password="new password!") is not None


async def test_a_wrong_current_password_changes_nothing(uow, passwords) -> None:
    user = await _user(uow, passwords)
    _, token = await _sign_in(uow, passwords)

    with pytest.raises(DomainError, match="current password"):
        await change_password(
            uow, passwords, ChangePassword(user.user_id, "not it at all", "new password!", "x"), LIMITS
        )

    assert await current_user(uow, token, SESSIONS) == user
    assert uow.users.rows[user.user_id][1] == f"hash:{PASSWORD}"


async def test_disabling_a_user_ends_its_sessions_and_its_sign_ins(uow, passwords) -> None:
    staff = await create_user(uow, passwords, CreateUser("ops@avtal.example", PASSWORD, "staff"))
    user = await _user(uow, passwords)
    _, token = await _sign_in(uow, passwords)

    disabled = await set_disabled(uow, staff, user.user_id, True)

    assert disabled.disabled
    assert await current_user(uow, token, SESSIONS) is None
    assert await _sign_in(uow, passwords) is None
    await set_disabled(uow, staff, user.user_id, False)
    assert await _sign_in(uow, passwords) is not None


async def test_staff_cannot_disable_themselves_or_a_missing_user(uow, passwords) -> None:
    staff = await create_user(uow, passwords, CreateUser("ops@avtal.example", PASSWORD, "staff"))

    with pytest.raises(DomainError, match="your own user"):
        await set_disabled(uow, staff, staff.user_id, True)
    with pytest.raises(NotFound):
        await set_disabled(uow, staff, uuid.uuid4(), True)
    assert not uow.users.rows[staff.user_id][0].disabled


async def test_signing_out_ends_every_session_of_the_user(uow, passwords) -> None:
    user = await _user(uow, passwords)
    other = await _user(uow, passwords, email="bob@acme.example")
    _, mine = await _sign_in(uow, passwords)
    _, theirs = await _sign_in(uow, passwords, email="bob@acme.example")

    assert await sign_out(uow, user.user_id) == 1

    assert await current_user(uow, mine, SESSIONS) is None
    assert await current_user(uow, theirs, SESSIONS) == other


async def test_an_idle_or_too_old_session_is_over(uow, passwords) -> None:
    await _user(uow, passwords)
    _, idle = await _sign_in(uow, passwords)
    _, old = await _sign_in(uow, passwords)
    now = datetime.now(UTC)
    s = uow.sessions.rows
    s[digest(idle)] = replace(s[digest(idle)], last_seen_at=now - SESSIONS.idle - timedelta(seconds=1))
    s[digest(old)] = replace(s[digest(old)], created_at=now - SESSIONS.absolute - timedelta(seconds=1))

    assert await current_user(uow, idle, SESSIONS) is None
    assert await current_user(uow, old, SESSIONS) is None
    assert uow.sessions.rows == {}


async def test_an_unknown_token_is_nobody(uow) -> None:
    assert await current_user(uow, "forged", SESSIONS) is None


async def test_purge_deletes_ended_sessions_and_old_attempts(uow, passwords) -> None:
    await _user(uow, passwords)
    _, live = await _sign_in(uow, passwords)
    _, ended = await _sign_in(uow, passwords)
    await _sign_in(uow, passwords, password="wrong password")
    old = datetime.now(UTC) - timedelta(days=1)
    uow.sessions.rows[digest(ended)] = replace(uow.sessions.rows[digest(ended)], last_seen_at=old)
    uow.login_attempts.rows[0].at = old

    assert await purge_expired(uow, SESSIONS, LIMITS) == 2

    assert list(uow.sessions.rows) == [digest(live)]


async def test_ensure_staff_user_creates_the_first_one(uow, passwords) -> None:
    assert await ensure_staff_user(uow, passwords, "ops@avtal.example", PASSWORD) == "created"

    user, _ = await uow.users.credentials("ops@avtal.example")
    assert user.is_staff


async def test_ensure_staff_user_needs_a_password_when_nobody_exists(uow, passwords) -> None:
    with pytest.raises(DomainError, match="AVTAL_GATEWAY_STAFF_PASSWORD"):
        await ensure_staff_user(uow, passwords, "ops@avtal.example", None)


async def test_ensure_staff_user_updates_a_changed_password_and_ends_sessions(uow, passwords) -> None:
    await ensure_staff_user(uow, passwords, "ops@avtal.example", PASSWORD)
    _, token = await _sign_in(uow, passwords, email="ops@avtal.example")

    assert (
        await ensure_staff_user(uow, passwords, "ops@avtal.example", "rotated password") == "password updated"
    )

    assert await current_user(uow, token, SESSIONS) is None
    assert await _sign_in(uow, passwords, email="ops@avtal.example", password="rotated password")


async def test_ensure_staff_user_leaves_a_matching_password_and_its_sessions(uow, passwords) -> None:
    await ensure_staff_user(uow, passwords, "ops@avtal.example", PASSWORD)
    _, token = await _sign_in(uow, passwords, email="ops@avtal.example")

    assert await ensure_staff_user(uow, passwords, "ops@avtal.example", PASSWORD) == "unchanged"
    assert await ensure_staff_user(uow, passwords, "ops@avtal.example", None) == "unchanged"

    assert await current_user(uow, token, SESSIONS) is not None


async def test_ensure_staff_user_never_sets_a_customers_password(uow, passwords) -> None:
    await _user(uow, passwords)

    with pytest.raises(DomainError, match="customer user"):
        await ensure_staff_user(uow, passwords, "ann@acme.example", "another password")
