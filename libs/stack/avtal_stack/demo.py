"""Demo data, seeded once through the public API: a catalog, customers, contracts, a billing history."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from avtal_stack.stack import Stack

PRODUCTS = [
    {
        "sku": "SRV-GOLD-247",
        "name": "Server care Gold 24/7",
        "annual_price": "12000.00",
        "vendor": "Avtal Services",
        "category": "server",
    },
    {
        "sku": "SRV-SILVER-NBD",
        "name": "Server care Silver, next business day",
        "annual_price": "6000.00",
        "vendor": "Avtal Services",
        "category": "server",
    },
    {
        "sku": "PRN-CARE",
        "name": "Printer care",
        "annual_price": "1800.00",
        "vendor": "PrintPartner Nordic",
        "category": "printer",
    },
]


def _months_before(d: date, months: int, day: int = 1) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    return date(y, m + 1, day)


def _contracts(today: date) -> list[dict[str, Any]]:
    """Started months ago, whatever today is, so there is always a billing history to show."""
    nf_start, bc_start = _months_before(today, 9), _months_before(today, 8, day=15)
    nf_end = date(nf_start.year + 2, nf_start.month, 1) - timedelta(days=1)
    bc_end = date(bc_start.year + 1, bc_start.month, 14)
    return [
        {
            "customer": {
                "name": "Nordic Freight AB",
                "email": "it@nordicfreight.example",
                "locale": "sv",
                "external_ref": "DEMO-NF",
            },
            "start_date": str(nf_start),
            "end_date": str(nf_end),
            "billing_interval_months": 3,
            "lines": [
                {
                    "sku": "SRV-GOLD-247",
                    "manufacturer_no": "HPE-P24840",
                    "model": "ProLiant DL380 Gen11",
                    "serial_no": "CZ2D1A0B7X",
                },
                {
                    "sku": "SRV-SILVER-NBD",
                    "manufacturer_no": "DELL-R750",
                    "model": "PowerEdge R750",
                    "serial_no": "7H3K9L2",
                },
                {
                    "sku": "PRN-CARE",
                    "manufacturer_no": "HP-3PZ95A",
                    "model": "LaserJet M607",
                    "serial_no": "PHBLK12345",
                },
            ],
        },
        {
            "customer": {
                "name": "Baltic Clinics Oy",
                "email": "finance@balticclinics.example",
                "locale": "en",
                "external_ref": "DEMO-BC",
            },
            "start_date": str(bc_start),
            "end_date": str(bc_end),
            "billing_interval_months": 1,
            "lines": [
                {
                    "sku": "SRV-SILVER-NBD",
                    "manufacturer_no": "LEN-7Z73",
                    "model": "ThinkSystem SR650",
                    "serial_no": "J30ABCD1",
                }
            ],
        },
    ]


def seed_demo(stack: Stack) -> bool:
    """Seed once; returns False when an earlier start already did."""
    s = stack.secrets
    base = f"http://127.0.0.1:{stack.ports.service('gateway')}"
    with httpx.Client(base_url=base, timeout=30) as customer:
        if (
            customer.post(
                "/api/v1/login", json={"email": s["customer_email"], "password": s["customer_password"]}
            ).status_code
            == 200
        ):
            return False
    with httpx.Client(base_url=base, timeout=60) as api:
        _ok(api.post("/api/v1/login", json={"email": s["staff_email"], "password": s["staff_password"]}))
        api.headers["X-CSRF-Token"] = api.cookies.get("avtal_csrf", "")  # the gateway's CSRF protocol
        for p in PRODUCTS:
            _ok(api.post("/api/v1/products", json=p | {"currency": "SEK"}))
        today = datetime.now(UTC).date()
        ids = []
        for spec in _contracts(today):
            cust = _ok(
                api.post(
                    "/api/v1/customers",
                    json=spec["customer"],
                    headers={"Idempotency-Key": f"demo-customer-{spec['customer']['external_ref']}"},
                )
            )
            body = {k: v for k, v in spec.items() if k != "customer"} | {"customer_id": cust["customer_id"]}
            contract = _retry(
                lambda b=body, r=spec["customer"]["external_ref"]: api.post(
                    "/api/v1/contracts", json=b, headers={"Idempotency-Key": f"demo-contract-{r}"}
                )
            )
            ids.append(contract["contract_id"])
            if spec["customer"]["external_ref"] == "DEMO-NF":
                _ok(
                    api.post(
                        "/api/v1/users",
                        json={
                            "email": s["customer_email"],
                            "password": s["customer_password"],
                            "role": "customer",
                            "customer_id": cust["customer_id"],
                        },
                    )
                )
        for cid in ids:
            _retry(lambda c=cid: api.get(f"/api/v1/contracts/{c}/schedule"))
        for as_of in [*_month_starts(_months_before(today, 9), today), today]:
            _ok(api.post("/api/v1/billing-runs", json={"as_of": str(as_of), "run_key": f"demo:{as_of}"}))
    return True


def _month_starts(start: date, until: date) -> list[date]:
    """The first of every month from `start` up to `until`."""
    months = (until.year - start.year) * 12 + until.month - start.month
    return [_months_before(until, months - k) for k in range(months + 1)]


def _ok(r: httpx.Response) -> Any:
    if r.status_code >= 400:
        raise SystemExit(
            f"demo seeding failed: {r.request.method} {r.request.url} → {r.status_code} {r.text}"
        )
    return r.json() if r.content else None


def _retry(call: Any, timeout_s: float = 60.0) -> Any:
    """Events take a moment to reach the next service: retry a 404 until it arrives."""
    deadline = time.monotonic() + timeout_s
    while True:
        r = call()
        if r.status_code != 404 or time.monotonic() > deadline:
            return _ok(r)
        time.sleep(0.3)
