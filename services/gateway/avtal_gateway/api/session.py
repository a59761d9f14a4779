"""The API's session routes: sign in and out, who am I, change my password."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotAuthorizedException
from pydantic import BaseModel, Field

from avtal_common.api.text import FreeText, OneLine
from avtal_gateway.adapters.passwords import Passwords
from avtal_gateway.api.client_address import client_address, trusted_networks
from avtal_gateway.api.problems import problems
from avtal_gateway.api.security import new_csrf_cookie
from avtal_gateway.domain.commands import ChangePassword, SignIn
from avtal_gateway.domain.users import User
from avtal_gateway.handlers.sessions import sign_in, sign_out
from avtal_gateway.handlers.users import change_password
from avtal_gateway.settings import GatewaySettings
from avtal_gateway.store.unit_of_work import GatewayUnitOfWork


class LoginIn(BaseModel):
    email: OneLine = Field(max_length=320)
    password: FreeText = Field(max_length=1000)


class UserOut(BaseModel):
    user_id: uuid.UUID
    email: str
    role: str
    customer_id: uuid.UUID | None
    disabled: bool = False


class LoginOut(UserOut):
    csrf_token: str = Field(description="send it back as the X-CSRF-Token header on unsafe requests")


class PasswordChangeIn(BaseModel):
    current_password: FreeText = Field(max_length=1000)
    new_password: FreeText = Field(min_length=10, max_length=1000)


def user_out(u: User) -> UserOut:
    return UserOut(
        user_id=u.user_id, email=u.email, role=u.role, customer_id=u.customer_id, disabled=u.disabled
    )


def address(request: Request[Any, Any, Any], settings: GatewaySettings) -> str:
    return client_address(request.scope, trusted_networks(settings.trusted_proxies))


class SessionController(Controller):
    path = "/api/v1"
    tags = ["session"]

    @post("/login", status_code=200, responses=problems(400, 401, 403, 415, 429))
    async def login(
        self,
        request: Request,
        data: LoginIn,
        uow: GatewayUnitOfWork,
        passwords: Passwords,
        settings: GatewaySettings,
    ) -> Response[LoginOut]:
        """Sign in: sets the session cookie and the `avtal_csrf` cookie (also returned as `csrf_token`).
        Too many failed attempts for the account or the client address answer 429 with Retry-After."""
        cmd = SignIn(data.email, data.password, address(request, settings))
        signed = await sign_in(uow, passwords, cmd, settings.login_limits())
        if signed is None:
            raise NotAuthorizedException("wrong e-mail or password")
        user, token = signed
        request.set_session({"sid": token})
        csrf = new_csrf_cookie(settings)
        body = LoginOut(**user_out(user).model_dump(), csrf_token=csrf.value or "")
        return Response(body, cookies=[csrf])

    @post("/logout", status_code=204, responses=problems(401, 403))
    async def logout(self, request: Request[User, Any, Any], uow: GatewayUnitOfWork) -> None:
        """Sign out everywhere: every session of this user ends."""
        await sign_out(uow, request.user.user_id)
        request.clear_session()

    @get("/me", responses=problems(401))
    async def me(self, request: Request[User, Any, Any]) -> UserOut:
        return user_out(request.user)

    @post("/me/password", status_code=204, responses=problems(400, 401, 403, 415, 422, 429))
    async def change_my_password(
        self,
        request: Request[User, Any, Any],
        data: PasswordChangeIn,
        uow: GatewayUnitOfWork,
        passwords: Passwords,
        settings: GatewaySettings,
    ) -> None:
        """Every other session of this user ends; this client gets a new session cookie."""
        cmd = ChangePassword(
            request.user.user_id, data.current_password, data.new_password, address(request, settings)
        )
        token = await change_password(uow, passwords, cmd, settings.login_limits())
        request.set_session({"sid": token})
