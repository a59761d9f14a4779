"""Browser-facing protections: CSRF tokens, same-origin checks, JSON-only API bodies, security headers."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

from litestar.config.app import AppConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.csrf import generate_csrf_token
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from avtal_gateway.settings import GatewaySettings

CSRF_COOKIE = "avtal_csrf"
CSRF_HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# No inline script or style anywhere: the portal's CSS is a file under /static/.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


def _csrf_secret(settings: GatewaySettings) -> str:
    # Derived, so the CSRF signature key is never the key that encrypts sessions.
    return hashlib.sha256(b"avtal-csrf:" + bytes.fromhex(settings.session_secret)).hexdigest()


def csrf_config(settings: GatewaySettings) -> CSRFConfig:
    """Double-submit: the readable `avtal_csrf` cookie must come back as `X-CSRF-Token` or the form's
    `_csrf_token`. The JSON login is exempt (an API client has no token yet); `same_origin` guards it."""
    return CSRFConfig(
        secret=_csrf_secret(settings),
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=settings.cookie_secure,
        cookie_samesite="lax",
        exclude=["^/api/v1/login$"],
    )


def new_csrf_cookie(settings: GatewaySettings) -> Cookie:
    token = generate_csrf_token(_csrf_secret(settings))
    return Cookie(key=CSRF_COOKIE, value=token, path="/", secure=settings.cookie_secure, samesite="lax")


def _origin_allowed(origin: str, host: str, allowed: list[str]) -> bool:
    if allowed:
        return origin.rstrip("/") in {a.rstrip("/") for a in allowed}
    # Behind a TLS proxy the scheme we see is not the browser's: compare host and port only.
    return bool(host) and urlsplit(origin).netloc == host


class SameOriginMiddleware:
    """Unsafe requests from another site are refused (403) whenever the browser says where they come
    from; an /api/ body must be JSON (415), which a cross-site form or `text/plain` fetch cannot send
    without a CORS preflight that we never grant."""

    def __init__(self, app: ASGIApp, allowed_origins: list[str]) -> None:
        self.app, self.allowed = app, allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE:
            refusal = self._refusal(scope)
            if refusal is not None:
                await _problem(send, *refusal)
                return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        site = headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            return 403, "Cross-site request refused", f"a {site} request cannot change anything here"
        origin = headers.get("origin")
        if origin is not None and not _origin_allowed(origin, headers.get("host", ""), self.allowed):
            return 403, "Cross-site request refused", f"requests from {origin[:100]} are not accepted"
        if scope["path"].startswith("/api/") and not _json_or_empty(headers):
            return 415, "Unsupported media type", "send the body as JSON (Content-Type: application/json)"
        return None


def _json_or_empty(headers: dict[str, str]) -> bool:
    ctype = headers.get("content-type")
    if ctype is None:
        return headers.get("content-length", "0") == "0" and "transfer-encoding" not in headers
    media = ctype.split(";")[0].strip().lower()
    # text/csv (CSV imports) is not a CORS-safelisted type either: a cross-site page cannot send it
    # without the preflight we never grant.
    return media in ("application/json", "text/csv") or (
        media.startswith("application/") and media.endswith("+json")
    )


async def _problem(send: Send, status: int, title: str, detail: str) -> None:
    body = json.dumps({"status": status, "title": title, "detail": detail}).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def security_headers(message: Message, scope: Scope) -> None:
    """On every response; a header a route set itself (the docs page's own CSP) is kept."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in HEADERS.items():
        if name not in headers:
            headers[name] = value
    # Private data (JSON, pages, invoice PDFs) is never stored by browsers or proxies; static files may be.
    if "cache-control" not in headers and not scope.get("path", "").startswith("/static/"):
        headers["cache-control"] = "no-store"


def security(settings: GatewaySettings) -> Any:
    """An on_app_init hook installing all of the above."""

    def on_app_init(app_config: AppConfig) -> AppConfig:
        app_config.csrf_config = csrf_config(settings)
        app_config.middleware.append(
            DefineMiddleware(SameOriginMiddleware, allowed_origins=list(settings.allowed_origins))
        )
        app_config.before_send.append(security_headers)
        return app_config

    return on_app_init
