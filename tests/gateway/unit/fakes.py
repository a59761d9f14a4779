"""Hand-written fakes of the gateway's unit of work (in-memory users, sessions, attempts) and passwords."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from avtal_common.errors import Conflict, NotFound
from avtal_gateway.domain.logins import RecentAttempts
from avtal_gateway.domain.sessions import Session
from avtal_gateway.domain.users import User
from avtal_testing.fakes import FakeUnitOfWork


class FakeUserRepo:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, tuple[User, str]] = {}

    async def add(self, user: User, password_hash: str) -> None:
        if any(u.email == user.email.lower() for u, _ in self.rows.values()):
            raise Conflict(f"a user with e-mail {user.email} already exists")
        self.rows[user.user_id] = (user, password_hash)

    async def get(self, user_id: uuid.UUID) -> User:
        if user_id not in self.rows:
            raise NotFound(f"user {user_id} does not exist")
        return self.rows[user_id][0]

    async def find(self, user_id: uuid.UUID) -> User | None:
        return self.rows[user_id][0] if user_id in self.rows else None

    async def credentials(self, email: str) -> tuple[User, str] | None:
        return next((r for r in self.rows.values() if r[0].email == email.strip().lower()), None)

    async def set_password(self, user_id: uuid.UUID, password_hash: str) -> None:
        self.rows[user_id] = (self.rows[user_id][0], password_hash)

    async def set_disabled(self, user_id: uuid.UUID, disabled: bool) -> None:
        user, password_hash = self.rows[user_id]
        self.rows[user_id] = (replace(user, disabled=disabled), password_hash)

    async def list(self, limit: int, offset: int) -> tuple[list[User], int]:
        users = sorted((u for u, _ in self.rows.values()), key=lambda u: u.email)
        return users[offset : offset + limit], len(users)


class FakeSessionRepo:
    def __init__(self) -> None:
        self.rows: dict[str, Session] = {}

    async def add(self, session: Session) -> None:
        self.rows[session.token_digest] = session

    async def get(self, token_digest: str) -> Session | None:
        return self.rows.get(token_digest)

    async def touch(self, token_digest: str, now: datetime) -> None:
        self.rows[token_digest] = replace(self.rows[token_digest], last_seen_at=now)

    async def revoke(self, token_digest: str) -> None:
        self.rows.pop(token_digest, None)

    async def revoke_all(self, user_id: uuid.UUID) -> int:
        gone = [d for d, s in self.rows.items() if s.user_id == user_id]
        for d in gone:
            del self.rows[d]
        return len(gone)

    async def purge(self, created_before: datetime, seen_before: datetime) -> int:
        gone = [
            d for d, s in self.rows.items() if s.created_at < created_before or s.last_seen_at < seen_before
        ]
        for d in gone:
            del self.rows[d]
        return len(gone)


@dataclass
class Attempt:
    account: str
    address: str
    at: datetime


class FakeLoginAttemptRepo:
    def __init__(self) -> None:
        self.rows: list[Attempt] = []

    async def record(self, account: str, address: str, now: datetime, since: datetime) -> RecentAttempts:
        self.rows.append(Attempt(account, address, now))
        mine = [a.at for a in self.rows if a.account == account and a.at > since]
        theirs = [a.at for a in self.rows if a.address == address and a.at > since]
        return RecentAttempts(len(mine), len(theirs), min(mine, default=None), min(theirs, default=None))

    async def forget_account(self, account: str) -> None:
        self.rows = [a for a in self.rows if a.account != account]

    async def purge(self, before: datetime) -> int:
        kept = [a for a in self.rows if a.at > before]
        gone, self.rows = len(self.rows) - len(kept), kept
        return gone


class FakeGatewayUnitOfWork(FakeUnitOfWork):
    producer = "gateway"

    def bind_repositories(self) -> None:
        self.users = FakeUserRepo()
        self.sessions = FakeSessionRepo()
        self.login_attempts = FakeLoginAttemptRepo()

    def snapshot(self) -> Any:
        return copy.deepcopy((self.users.rows, self.sessions.rows, self.login_attempts.rows))

    def restore(self, state: Any) -> None:
        self.users.rows, self.sessions.rows, self.login_attempts.rows = state


class FakePasswords:
    """`hash:<password>` instead of Argon2; counts every computation as the real one's metric does."""

    def __init__(self) -> None:
        self.computations = 0

    async def hash(self, password: str) -> str:
        self.computations += 1
        return f"hash:{password}"

    async def verify(self, password_hash: str | None, password: str) -> bool:
        self.computations += 1
        return password_hash is not None and password_hash == f"hash:{password}"
