"""CSRF on the real gateway: tokens, same-origin checks and JSON-only bodies, for the API and the forms."""

from __future__ import annotations

import json
import re

import httpx

from avtal_testing.api import signed_in, unique
from avtal_testing.stack import StackInfo

EVIL = "http://evil.example"


def _new_staff_body() -> dict[str, str]:
    return {"email": f"{unique('csrf')}@example.com", "password": "correct horse battery", "role": "staff"}


def test_an_unsafe_request_without_the_csrf_token_is_refused(stack: StackInfo) -> None:
    with signed_in(stack.portal_url, stack.staff_email, stack.staff_password) as staff:
        token = staff.headers.pop("X-CSRF-Token")
        body = _new_staff_body()

        assert staff.post("/api/v1/users", json=body).status_code == 403
        assert staff.post("/api/v1/users", json=body, headers={"X-CSRF-Token": "0" * 128}).status_code == 403
        assert staff.post("/api/v1/users", json=body, headers={"X-CSRF-Token": token}).status_code == 201


def test_a_text_plain_body_is_refused_with_415(stack: StackInfo, staff: httpx.Client) -> None:
    r = staff.post(
        "/api/v1/users", content=json.dumps(_new_staff_body()), headers={"Content-Type": "text/plain"}
    )

    assert r.status_code == 415
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "application/json" in r.json()["detail"]


def test_a_cross_site_request_is_refused_even_with_a_valid_token(
    stack: StackInfo, staff: httpx.Client
) -> None:
    assert staff.post("/api/v1/users", json=_new_staff_body(), headers={"Origin": EVIL}).status_code == 403
    cross = staff.post("/api/v1/users", json=_new_staff_body(), headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    assert staff.post("/api/v1/users", json=_new_staff_body(), headers={"Origin": "null"}).status_code == 403


def test_a_same_origin_request_is_accepted(stack: StackInfo, staff: httpx.Client) -> None:
    headers = {"Origin": stack.portal_url, "Sec-Fetch-Site": "same-origin"}

    assert staff.post("/api/v1/users", json=_new_staff_body(), headers=headers).status_code == 201


def test_the_json_login_answers_200_with_the_csrf_token_of_its_cookie(stack: StackInfo) -> None:
    with httpx.Client(base_url=stack.portal_url) as client:
        r = client.post("/api/v1/login", json={"email": stack.staff_email, "password": stack.staff_password})

        assert r.status_code == 200
        assert r.json()["csrf_token"] == client.cookies["avtal_csrf"]
        assert "httponly" in _set_cookie(r, "avtal_session").lower()


def test_the_json_login_refuses_text_plain_and_cross_site_origins(stack: StackInfo) -> None:
    creds = json.dumps({"email": stack.staff_email, "password": stack.staff_password})
    with httpx.Client(base_url=stack.portal_url) as client:
        plain = client.post("/api/v1/login", content=creds, headers={"Content-Type": "text/plain"})
        evil = client.post(
            "/api/v1/login", content=creds, headers={"Content-Type": "application/json", "Origin": EVIL}
        )

        assert (plain.status_code, evil.status_code) == (415, 403)
        assert "avtal_session" not in client.cookies


def test_the_login_form_needs_the_token_of_the_login_page(stack: StackInfo) -> None:
    form = {"email": stack.staff_email, "password": stack.staff_password}
    with httpx.Client(base_url=stack.portal_url) as browser:
        assert browser.post("/login", data=form).status_code == 403
        page = browser.get("/login")
        token = re.search(r'name="_csrf_token" value="([0-9a-f]+)"', page.text)
        assert token is not None

        r = browser.post("/login", data=form | {"_csrf_token": token.group(1)})

        assert r.status_code in (302, 303) and r.headers["location"] == "/"
        assert browser.get("/").status_code == 200


def test_a_cross_site_login_form_is_refused(stack: StackInfo) -> None:
    with httpx.Client(base_url=stack.portal_url) as browser:
        token = re.search(r'name="_csrf_token" value="([0-9a-f]+)"', browser.get("/login").text)
        assert token is not None
        form = {"email": stack.staff_email, "password": stack.staff_password, "_csrf_token": token.group(1)}

        assert browser.post("/login", data=form, headers={"Origin": EVIL}).status_code == 403


def _set_cookie(r: httpx.Response, name: str) -> str:
    return next(v for v in r.headers.get_list("set-cookie") if v.startswith(f"{name}="))
