"""Sign-in rate limits on the real gateway: per account and per client address, before any hash."""

from __future__ import annotations

import httpx

from avtal_testing.api import client_from, ok, password_checks, random_loopback, unique
from avtal_testing.stack import StackInfo

# The gateway's defaults (AVTAL_GATEWAY_LOGIN_ATTEMPTS_PER_ACCOUNT / _PER_ADDRESS, window 15 minutes).
PER_ACCOUNT, PER_ADDRESS, WINDOW_S = 10, 50, 15 * 60


def _login(client: httpx.Client, email: str, password: str, **headers: str) -> httpx.Response:
    return client.post("/api/v1/login", json={"email": email, "password": password}, headers=headers)


def test_attempt_n_plus_one_on_an_account_is_429_and_computes_no_hash(
    stack: StackInfo, staff: httpx.Client
) -> None:
    email, password = f"{unique('limited')}@example.com", "correct horse battery"
    ok(staff.post("/api/v1/users", json={"email": email, "password": password, "role": "staff"}))
    with client_from(stack.portal_url, random_loopback()) as client:
        codes = [_login(client, email, "wrong password").status_code for _ in range(PER_ACCOUNT)]
        assert codes == [401] * PER_ACCOUNT
        before = password_checks(stack.portal_url)

        refused = _login(client, email, password)  # the right password, one attempt too many

        assert refused.status_code == 429
        assert 0 < int(refused.headers["Retry-After"]) <= WINDOW_S
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert password_checks(stack.portal_url) == before
    with client_from(stack.portal_url, random_loopback()) as elsewhere:
        assert _login(elsewhere, email, password).status_code == 429  # the account is limited everywhere


def test_attempt_n_plus_one_from_an_address_is_429_whatever_x_forwarded_for_says(stack: StackInfo) -> None:
    with client_from(stack.portal_url, random_loopback()) as client:
        for n in range(PER_ADDRESS):
            assert _login(client, f"{unique('guess')}-{n}@example.com", "wrong password").status_code == 401
        before = password_checks(stack.portal_url)

        refused = _login(client, f"{unique('guess')}@example.com", "wrong password")
        spoofed = _login(client, f"{unique('guess')}@example.com", "x", **{"X-Forwarded-For": "203.0.113.9"})

        assert (refused.status_code, spoofed.status_code) == (429, 429)
        assert int(refused.headers["Retry-After"]) > 0
        assert password_checks(stack.portal_url) == before
    with httpx.Client(base_url=stack.portal_url) as other:
        assert _login(other, stack.staff_email, stack.staff_password).status_code == 200


def test_the_login_form_shows_a_429_page_when_limited(stack: StackInfo, staff: httpx.Client) -> None:
    email = f"{unique('form-limited')}@example.com"
    with client_from(stack.portal_url, random_loopback()) as client:
        for _ in range(PER_ACCOUNT):
            _login(client, email, "wrong password")
        token = client.get("/login").text.split('name="_csrf_token" value="')[1].split('"')[0]

        page = client.post("/login", data={"email": email, "password": "x", "_csrf_token": token})

        assert page.status_code == 429 and "Too many sign-in attempts" in page.text
        assert int(page.headers["Retry-After"]) > 0
