"""Session authentication: encrypted, HttpOnly, SameSite=Lax cookies; users loaded per request."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.security.session_auth import SessionAuth

from avtal_gateway.domain.users import User
from avtal_gateway.settings import GatewaySettings
from avtal_gateway.store.users import UserRepo

# Anchored: Litestar matches these as unanchored regexes.
PUBLIC = ["^/login$", "^/api/v1/login$", "^/health/", "^/metrics$", "^/schema", "^/static/", "^/favicon"]


async def _load_user(session: dict[str, Any], connection: ASGIConnection) -> User | None:
    user_id = session.get("user_id")
    if not user_id:
        return None
    async with connection.app.state.runtime.db.acquire() as conn:
        return await UserRepo(conn).get(uuid.UUID(user_id))


def session_auth(settings: GatewaySettings) -> SessionAuth:
    backend = CookieBackendConfig(
        secret=bytes.fromhex(settings.session_secret),
        key="avtal_session",
        max_age=settings.session_max_age_s,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    return SessionAuth(retrieve_user_handler=_load_user, session_backend_config=backend, exclude=PUBLIC)


def staff_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    user = connection.user
    if not isinstance(user, User):
        raise NotAuthorizedException("sign in first")
    if not user.is_staff:
        raise PermissionDeniedException("this needs a staff user")
