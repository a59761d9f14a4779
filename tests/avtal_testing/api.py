"""Talking to the portal and the services as a client would, and waiting for eventual effects."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


@contextmanager
def signed_in(base_url: str, email: str, password: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        r = client.post("/api/v1/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        follow_csrf_protocol(client)
        yield client


def follow_csrf_protocol(client: httpx.Client) -> None:
    """After signing in: every unsafe request carries the `avtal_csrf` cookie's value as X-CSRF-Token."""
    token = client.cookies.get("avtal_csrf")
    if token:
        client.headers["X-CSRF-Token"] = token


def eventually(probe: Callable[[], T | None], timeout_s: float = 60.0, what: str = "condition") -> T:
    """Poll `probe` until it returns something truthy; fail with `what` after the timeout."""
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except AssertionError as exc:
            last = exc
        if last and not isinstance(last, AssertionError):
            return last
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}; last: {last!r}")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def ok(r: httpx.Response) -> Any:
    assert r.status_code < 400, f"{r.request.method} {r.request.url} → {r.status_code}: {r.text}"
    return r.json() if r.content else None


def make_customer_with_contract(
    staff: httpx.Client,
    price: str = "1200.00",
    start: str = "2026-01-01",
    end: str = "2026-12-31",
    interval: int = 12,
) -> dict[str, Any]:
    """A product, a customer and a contract covering one item; returns all of them."""
    sku = unique("SKU")
    product = ok(
        staff.post(
            "/api/v1/products",
            json={"sku": sku, "name": f"Care {sku}", "annual_price": price, "currency": "SEK"},
        )
    )
    customer = ok(
        staff.post(
            "/api/v1/customers", json={"name": unique("Customer"), "email": f"{unique('it')}@example.com"}
        )
    )
    item = {"manufacturer_no": unique("MFR"), "model": "ProLiant DL380", "serial_no": unique("SN")}
    body = {
        "customer_id": customer["customer_id"],
        "start_date": start,
        "end_date": end,
        "billing_interval_months": interval,
        "lines": [{"sku": sku, **item}],
    }
    contract = eventually(
        lambda: _created(staff.post("/api/v1/contracts", json=body)), what="the product to reach contracts"
    )
    return {"product": product, "customer": customer, "contract": contract, "item": item}


def _created(r: httpx.Response) -> Any:
    if r.status_code == 404:
        return None
    return ok(r)


def random_loopback() -> str:
    """A loopback address of its own (127.x.y.z, never 127.0.0.1): a client whose sign-in attempts the
    gateway counts apart from every other test's."""
    return f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def client_from(base_url: str, address: str, **kwargs: Any) -> httpx.Client:
    """A client whose connections come from `address` (any 127.0.0.0/8 address reaches loopback)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=base_url, transport=transport, timeout=30, **kwargs)


def password_checks(base_url: str) -> float:
    """The gateway's count of Argon2 computations so far (every kind)."""
    text = httpx.get(f"{base_url}/metrics", timeout=30).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("avtal_gateway_password_checks_total{")
    )
