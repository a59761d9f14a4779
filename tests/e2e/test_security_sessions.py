"""Server-side sessions on the real gateway: revocation everywhere, and unreadable cookies mean signed out."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator

import httpx
import pytest
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig

from avtal_testing.api import ok, signed_in, unique
from avtal_testing.stack import StackInfo

PASSWORD = "correct horse battery"


@pytest.fixture
def user(staff: httpx.Client) -> Iterator[dict[str, str]]:
    email = f"{unique('session')}@example.com"
    made = ok(staff.post("/api/v1/users", json={"email": email, "password": PASSWORD, "role": "staff"}))
    yield {"email": email, "user_id": made["user_id"]}


def _signed_out(client: httpx.Client) -> None:
    assert client.get("/api/v1/me").status_code == 401
    page = client.get("/", follow_redirects=False)
    assert page.status_code in (302, 303) and page.headers["location"].startswith("/login")


def test_signing_out_ends_the_users_sessions_everywhere(stack: StackInfo, user: dict[str, str]) -> None:
    with (
        signed_in(stack.portal_url, user["email"], PASSWORD) as laptop,
        signed_in(stack.portal_url, user["email"], PASSWORD) as phone,
    ):
        assert phone.get("/api/v1/me").status_code == 200

        out = laptop.post("/api/v1/logout")
        assert out.status_code == 204
        # Deleted at once (Max-Age=0): an Expires of "now" alone let Chromium send it once more.
        cleared = [c for c in out.headers.get_list("set-cookie") if c.startswith("avtal_session=")]
        assert cleared and all("Max-Age=0" in c for c in cleared)

        _signed_out(laptop)
        _signed_out(phone)


def test_a_password_change_ends_every_other_session(stack: StackInfo, user: dict[str, str]) -> None:
    with (
        signed_in(stack.portal_url, user["email"], PASSWORD) as laptop,
        signed_in(stack.portal_url, user["email"], PASSWORD) as phone,
    ):
        body = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
        assert laptop.post("/api/v1/me/password", json=body).status_code == 204

        _signed_out(phone)
        assert ok(laptop.get("/api/v1/me"))["email"] == user["email"]
    with signed_in(stack.portal_url, user["email"], "a brand new passphrase") as again:
        assert again.get("/api/v1/me").status_code == 200


def test_a_wrong_current_password_changes_nothing(stack: StackInfo, user: dict[str, str]) -> None:
    with signed_in(stack.portal_url, user["email"], PASSWORD) as me:
        body = {"current_password": "not my password", "new_password": "a brand new passphrase"}

        assert me.post("/api/v1/me/password", json=body).status_code == 422
        assert me.get("/api/v1/me").status_code == 200


def test_disabling_a_user_ends_its_sessions_until_enabled(
    stack: StackInfo, staff: httpx.Client, user: dict[str, str]
) -> None:
    with signed_in(stack.portal_url, user["email"], PASSWORD) as them:
        assert ok(staff.post(f"/api/v1/users/{user['user_id']}/disable"))["disabled"] is True

        _signed_out(them)
        login = {"email": user["email"], "password": PASSWORD}
        assert them.post("/api/v1/login", json=login).status_code == 401

        assert ok(staff.post(f"/api/v1/users/{user['user_id']}/enable"))["disabled"] is False
        assert them.post("/api/v1/login", json=login).status_code == 200


def test_staff_cannot_disable_themselves(stack: StackInfo, staff: httpx.Client) -> None:
    me = ok(staff.get("/api/v1/me"))

    assert staff.post(f"/api/v1/users/{me['user_id']}/disable").status_code == 422
    assert staff.get("/api/v1/me").status_code == 200


def test_users_are_listed_a_page_at_a_time(
    stack: StackInfo, staff: httpx.Client, user: dict[str, str]
) -> None:
    page = ok(staff.get("/api/v1/users", params={"limit": 1, "offset": 0}))

    assert page["limit"] == 1 and page["offset"] == 0 and len(page["items"]) == 1
    assert page["total"] >= 2
    assert staff.get("/api/v1/users", params={"limit": 0}).status_code == 400


def _foreign_cookie() -> str:
    """A well-formed session cookie for a session id, encrypted with a key that is not the gateway's."""
    backend = ClientSideSessionBackend(CookieBackendConfig(secret=os.urandom(16), key="avtal_session"))
    return backend.dump_data({"sid": "x" * 43})[0].decode()


FORGED = {
    "garbage": "not a cookie at all",
    "valid-looking base64": base64.b64encode(os.urandom(96)).decode(),
    "base64 with a mangled payload": base64.b64encode(
        os.urandom(40) + b"additional_authenticated_data=" + b"{not json"
    ).decode(),
    "base64 with a payload of the wrong shape": base64.b64encode(
        os.urandom(40) + b"additional_authenticated_data=" + b"[1, 2]"
    ).decode(),
    "short nonce": base64.b64encode(
        b"abc" + b"additional_authenticated_data=" + b'{"expires_at": 9999999999}'
    ).decode(),
    "another secret": _foreign_cookie(),
}


@pytest.mark.parametrize("cookie", list(FORGED.values()), ids=list(FORGED))
def test_an_unreadable_session_cookie_means_signed_out_never_500(stack: StackInfo, cookie: str) -> None:
    with httpx.Client(base_url=stack.portal_url, cookies={"avtal_session": cookie}) as client:
        _signed_out(client)
        assert client.post("/api/v1/logout").status_code == 401
        assert client.get("/login").status_code == 200


def test_a_truncated_session_cookie_means_signed_out(stack: StackInfo, user: dict[str, str]) -> None:
    with signed_in(stack.portal_url, user["email"], PASSWORD) as me:
        real = me.cookies["avtal_session"].strip('"')
        for cut in (1, 8, len(real) // 2):
            with httpx.Client(base_url=stack.portal_url, cookies={"avtal_session": real[:-cut]}) as client:
                _signed_out(client)
