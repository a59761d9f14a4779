"""The gateway's HTTP-edge protections as pure functions: client address, origins, bodies, cookies, limits."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.middleware.session.client_side import ClientSideSessionBackend

from avtal_gateway.api.auth import ForgivingCookieBackend, SessionCookieConfig
from avtal_gateway.api.client_address import client_address, trusted_networks
from avtal_gateway.api.security import SameOriginMiddleware, csrf_config, new_csrf_cookie
from avtal_gateway.domain.logins import LoginLimits, RecentAttempts, TooManyAttempts, check_attempts
from avtal_gateway.settings import GatewaySettings

SECRET = "0123456789abcdef" * 2


def _scope(peer: str, xff: str | None = None, **headers: str) -> dict[str, Any]:
    raw = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    if xff is not None:
        raw.append((b"x-forwarded-for", xff.encode()))
    return {"type": "http", "client": (peer, 5000), "headers": raw}


def test_without_trusted_proxies_the_socket_peer_is_the_client() -> None:
    assert client_address(_scope("198.51.100.7", "203.0.113.9"), []) == "198.51.100.7"


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored() -> None:
    trusted = trusted_networks(["10.0.0.0/8"])

    assert client_address(_scope("198.51.100.7", "203.0.113.9"), trusted) == "198.51.100.7"


def test_behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() -> None:
    trusted = trusted_networks(["10.0.0.0/8"])
    # The client put 1.2.3.4 in the header itself; our proxies appended 203.0.113.9 and 10.0.0.5.
    scope = _scope("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.5")

    assert client_address(scope, trusted) == "203.0.113.9"


def test_settings_read_trusted_proxies_and_origins_as_comma_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVTAL_GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7")
    monkeypatch.setenv("AVTAL_GATEWAY_ALLOWED_ORIGINS", "https://portal.example")

    s = GatewaySettings(session_secret=SECRET)

    assert s.trusted_proxies == ["10.0.0.0/8", "192.168.1.7"]
    assert s.allowed_origins == ["https://portal.example"]


def _refusal(method: str, path: str, allowed: list[str] | None = None, **headers: str) -> Any:
    scope = _scope("127.0.0.1", **headers) | {"method": method, "path": path}
    return SameOriginMiddleware(app=None, allowed_origins=allowed or [])._refusal(scope)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"host": "portal.example", "origin": "https://evil.example"}, 403),
        ({"host": "portal.example", "origin": "null"}, 403),
        ({"host": "portal.example", "sec_fetch_site": "cross-site"}, 403),
        ({"host": "portal.example", "sec_fetch_site": "same-site"}, 403),
        ({"host": "portal.example", "content_type": "text/plain", "content_length": "2"}, 415),
        ({"host": "portal.example", "content_type": "application/x-www-form-urlencoded"}, 415),
        ({"host": "portal.example", "content_length": "2"}, 415),
    ],
)
def test_unsafe_api_requests_from_elsewhere_or_not_json_are_refused(
    headers: dict[str, str], status: int
) -> None:
    assert _refusal("POST", "/api/v1/users", **headers)[0] == status


@pytest.mark.parametrize(
    "headers",
    [
        {"host": "portal.example", "origin": "https://portal.example", "content_type": "application/json"},
        {"host": "portal.example", "sec_fetch_site": "same-origin", "content_type": "application/json"},
        {"host": "portal.example", "content_type": "application/merge-patch+json; charset=utf-8"},
        {"host": "portal.example", "content_length": "0"},
    ],
)
def test_same_origin_json_or_empty_api_requests_pass(headers: dict[str, str]) -> None:
    assert _refusal("POST", "/api/v1/users", **headers) is None


def test_forms_may_post_to_pages_but_not_from_another_site() -> None:
    form = {"host": "portal.example", "content_type": "application/x-www-form-urlencoded"}

    assert _refusal("POST", "/login", **form) is None
    assert _refusal("POST", "/login", **form, origin="https://evil.example")[0] == 403


async def test_safe_methods_pass_whatever_their_origin() -> None:
    reached: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["path"])

    scope = _scope("127.0.0.1", host="portal.example", origin="https://evil.example")
    await SameOriginMiddleware(app, [])(scope | {"method": "GET", "path": "/api/v1/me"}, None, None)  # type: ignore[arg-type]

    assert reached == ["/api/v1/me"]


def test_configured_origins_replace_the_host_comparison() -> None:
    allowed = ["https://portal.example"]

    assert _refusal("POST", "/logout", allowed, host="internal:8000", origin="https://portal.example") is None
    assert _refusal("POST", "/logout", allowed, host="internal:8000", origin="http://internal:8000")[0] == 403


@pytest.mark.parametrize("secure", [True, False])
def test_csrf_and_session_cookies_are_secure_as_configured(secure: bool) -> None:
    s = GatewaySettings(session_secret=SECRET, cookie_secure=secure)

    assert csrf_config(s).cookie_secure is secure
    assert new_csrf_cookie(s).secure is secure
    assert csrf_config(s).cookie_name == "avtal_csrf" and csrf_config(s).header_name == "x-csrf-token"


MANGLED = base64.b64encode(os.urandom(40) + b"additional_authenticated_data={not json").decode()


class _Connection:
    def __init__(self, cookie: str) -> None:
        self.cookies = {"avtal_session": cookie}


async def test_litestars_own_cookie_backend_fails_on_a_mangled_cookie() -> None:
    """Why the gateway has its own backend: this would be a 500."""
    backend = ClientSideSessionBackend(SessionCookieConfig(secret=bytes.fromhex(SECRET), key="avtal_session"))

    with pytest.raises(Exception):  # noqa: B017 - any exception is the 500 we avoid
        await backend.load_from_connection(_Connection(MANGLED))  # type: ignore[arg-type]


@pytest.mark.parametrize("cookie", [MANGLED, "garbage", base64.b64encode(os.urandom(64)).decode()])
async def test_the_gateways_cookie_backend_reads_an_unreadable_cookie_as_no_session(cookie: str) -> None:
    backend = ForgivingCookieBackend(SessionCookieConfig(secret=bytes.fromhex(SECRET), key="avtal_session"))

    assert await backend.load_from_connection(_Connection(cookie)) == {}  # type: ignore[arg-type]


LIMITS = LoginLimits(per_account=10, per_address=50, window=timedelta(minutes=15))
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_attempts_up_to_the_limit_pass() -> None:
    check_attempts(RecentAttempts(10, 50, NOW, NOW), LIMITS, NOW)


def test_the_wait_is_until_the_oldest_attempt_leaves_the_window() -> None:
    # 11 attempts, the oldest 5 minutes ago: it leaves the 15-minute window in 10 minutes.
    recent = RecentAttempts(11, 11, NOW - timedelta(minutes=5), NOW - timedelta(minutes=5))

    with pytest.raises(TooManyAttempts) as refused:
        check_attempts(recent, LIMITS, NOW)

    assert refused.value.retry_after_s == 600


def test_the_longer_of_both_waits_is_given_and_never_less_than_a_second() -> None:
    recent = RecentAttempts(11, 51, NOW - timedelta(minutes=15), NOW - timedelta(minutes=1))

    with pytest.raises(TooManyAttempts) as refused:
        check_attempts(recent, LIMITS, NOW)

    assert refused.value.retry_after_s == 14 * 60
    with pytest.raises(TooManyAttempts) as almost:
        check_attempts(RecentAttempts(11, 0, NOW - timedelta(minutes=15), None), LIMITS, NOW)
    assert almost.value.retry_after_s == 1
