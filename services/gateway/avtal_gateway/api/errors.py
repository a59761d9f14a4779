"""Answers for refused sign-ins: pages go to the sign-in form, the API gets problem details."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import NotAuthorizedException
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Redirect
from pydantic import BaseModel

from avtal_gateway.api.auth import SESSION_COOKIE
from avtal_gateway.domain.logins import TooManyAttempts


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of the API is answered."""

    status: int
    title: str
    detail: str | None = None


_MEANING = {
    400: "the request does not validate (the fields to fix are listed)",
    401: "not signed in, the session ended, or a wrong e-mail or password",
    403: "not allowed: a staff-only route, a missing or wrong CSRF token, or a cross-site request",
    404: "no such thing (or not visible to this user)",
    409: "conflicts with what exists (a duplicate)",
    415: "the body is not application/json",
    422: "refused by a business rule",
    429: "too many sign-in attempts; see Retry-After",
}


def problems(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI `responses` for the errors a route can answer."""
    return {
        c: ResponseSpec(
            data_container=Problem, media_type="application/problem+json", description=_MEANING[c]
        )
        for c in codes
    }


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
