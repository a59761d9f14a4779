"""Staff manage portal users: create, list, disable and enable."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from litestar import Controller, Request, get, post
from pydantic import BaseModel, EmailStr, Field

from avtal_common.api.pagination import Limit, Offset, Page
from avtal_common.api.text import FreeText
from avtal_gateway.adapters.passwords import Passwords
from avtal_gateway.adapters.services import Services
from avtal_gateway.api.auth import staff_only
from avtal_gateway.api.problems import problems
from avtal_gateway.api.session import UserOut, user_out
from avtal_gateway.domain.commands import CreateUser
from avtal_gateway.domain.users import User
from avtal_gateway.handlers.users import create_user, list_users, set_disabled
from avtal_gateway.store.unit_of_work import GatewayUnitOfWork


class UserIn(BaseModel):
    email: EmailStr
    password: FreeText = Field(min_length=10, max_length=1000)
    role: Literal["staff", "customer"]
    customer_id: uuid.UUID | None = None


class UsersController(Controller):
    path = "/api/v1/users"
    guards = [staff_only]
    tags = ["users"]

    @post("/", status_code=201, responses=problems(400, 401, 403, 404, 409, 415, 422))
    async def create_user(
        self, data: UserIn, uow: GatewayUnitOfWork, passwords: Passwords, services: Services
    ) -> UserOut:
        if data.customer_id is not None:
            await services.json("contracts", "GET", f"/customers/{data.customer_id}")
        cmd = CreateUser(str(data.email), data.password, data.role, data.customer_id)
        return user_out(await create_user(uow, passwords, cmd))

    @get("/", responses=problems(400, 401, 403))
    async def list_users(
        self,
        uow: GatewayUnitOfWork,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[UserOut]:
        users, total = await list_users(uow, limit, offset)
        return Page(items=[user_out(u) for u in users], total=total, limit=limit, offset=offset)

    @post("/{user_id:uuid}/disable", status_code=200, responses=problems(401, 403, 404, 415, 422))
    async def disable(
        self, request: Request[User, Any, Any], user_id: uuid.UUID, uow: GatewayUnitOfWork
    ) -> UserOut:
        """The user can no longer sign in, and every session it has ends now."""
        return user_out(await set_disabled(uow, request.user, user_id, True))

    @post("/{user_id:uuid}/enable", status_code=200, responses=problems(401, 403, 404, 415, 422))
    async def enable(
        self, request: Request[User, Any, Any], user_id: uuid.UUID, uow: GatewayUnitOfWork
    ) -> UserOut:
        return user_out(await set_disabled(uow, request.user, user_id, False))
