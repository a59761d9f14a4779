"""The gateway's unit of work: users, sessions and sign-in attempts on one transaction."""

from __future__ import annotations

from typing import Any

from avtal_common.uow import UnitOfWork
from avtal_gateway.store.login_attempts import LoginAttemptRepo
from avtal_gateway.store.sessions import SessionRepo
from avtal_gateway.store.users import UserRepo


class GatewayUnitOfWork(UnitOfWork):
    users: UserRepo
    sessions: SessionRepo
    login_attempts: LoginAttemptRepo

    def bind_repositories(self, conn: Any) -> None:
        self.users = UserRepo(conn)
        self.sessions = SessionRepo(conn)
        self.login_attempts = LoginAttemptRepo(conn)
