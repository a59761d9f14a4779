"""Answers for refused sign-ins: pages go to the sign-in form, the API gets problem details."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import NotAuthorizedException
from litestar.response import Redirect

from avtal_gateway.api.auth import SESSION_COOKIE
from avtal_gateway.domain.logins import TooManyAttempts


def _problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        {"status": status, "title": title, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
        headers=headers,
    )


def unauthorized(request: Request, exc: NotAuthorizedException) -> Response[Any]:
    """Pages send the browser to the sign-in form (saying why when a session ended); the API answers 401."""
    if request.url.path.startswith("/api/"):
        return _problem(401, "Sign in first", str(exc.detail))
    return Redirect("/login?error=session_ended" if SESSION_COOKIE in request.cookies else "/login")


def too_many_attempts(_: Request, exc: TooManyAttempts) -> Response[Any]:
    return _problem(
        429, "Too many sign-in attempts", str(exc), headers={"Retry-After": str(exc.retry_after_s)}
    )
