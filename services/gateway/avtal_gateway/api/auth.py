"""Session authentication: an encrypted, HttpOnly, SameSite=Lax cookie carrying only a session token;
the session itself (and so revocation, idle and absolute expiry) lives in the gateway's database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from litestar.security.session_auth import SessionAuth
from litestar.types import Message

from avtal_common.logging import bind_actor, get_logger
from avtal_gateway.domain.users import User
from avtal_gateway.handlers.sessions import current_user
from avtal_gateway.settings import GatewaySettings
from avtal_gateway.store.unit_of_work import GatewayUnitOfWork

log = get_logger(__name__)

SESSION_COOKIE = "avtal_session"
# Anchored: Litestar matches these as unanchored regexes.
PUBLIC = ["^/login$", "^/api/v1/login$", "^/health/", "^/metrics$", "^/schema", "^/static/", "^/favicon"]


class ForgivingCookieBackend(ClientSideSessionBackend):
    """A cookie we cannot read (forged, truncated, another key's) means "signed out", never a 500:
    Litestar only forgives a wrong tag or bad base64, not a mangled payload."""

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        try:
            data = await super().load_from_connection(connection)
        except Exception as exc:  # noqa: BLE001 - any unreadable cookie is no session
            log.info("gateway.session_cookie_unreadable", error=type(exc).__name__)
            return {}
        return data if isinstance(data, dict) else {}

    async def store_in_message(
        self, scope_session: Any, message: Message, connection: ASGIConnection
    ) -> None:
        await super().store_in_message(scope_session, message, connection)
        # Litestar clears the cookie with an Expires of "now" only; Chromium may send it once more,
        # which read as a stale session after signing out. Max-Age=0 deletes it at once everywhere.
        cleared = f"{self.config.key}=null;".encode()
        message["headers"] = [  # type: ignore[typeddict-unknown-key]  # only http.response.start has them
            (k, v + b"; Max-Age=0" if k.lower() == b"set-cookie" and v.startswith(cleared) else v)
            for k, v in message.get("headers", [])
        ]


@dataclass
class SessionCookieConfig(CookieBackendConfig):
    _backend_class = ForgivingCookieBackend  # type: ignore[assignment]  # a subclass of the default


def session_auth(settings: GatewaySettings, uow: Callable[[], GatewayUnitOfWork]) -> SessionAuth:
    """`uow` makes a fresh unit of work; the middleware runs before dependency injection can."""
    limits = settings.session_limits()

    async def load_user(session: dict[str, Any], _: ASGIConnection) -> User | None:
        token = session.get("sid")
        user = await current_user(uow(), token, limits) if isinstance(token, str) else None
        bind_actor(user.email if user else None)  # sent on to the services for their audit trails
        return user

    backend = SessionCookieConfig(
        secret=bytes.fromhex(settings.session_secret),
        key=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    return SessionAuth(retrieve_user_handler=load_user, session_backend_config=backend, exclude=PUBLIC)


def staff_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    user = connection.user
    if not isinstance(user, User):
        raise NotAuthorizedException("sign in first")
    if not user.is_staff:
        raise PermissionDeniedException("this needs a staff user")
