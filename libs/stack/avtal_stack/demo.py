"""Demo data, seeded through the public API in idempotent steps: catalog, customers, contracts, invoices."""

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


def months_before(d: date, months: int, day: int = 1) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    return date(y, m + 1, day)


def contract_specs(today: date) -> list[dict[str, Any]]:
    """Started months ago, whatever today is, so there is always a billing history to show."""
    nf_start, bc_start = months_before(today, 9), months_before(today, 8, day=15)
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


def seed_demo(stack: Stack) -> None:
    """Make sure the demo data is there. Every step is idempotent, so this simply runs on every start:
    an interrupted seeding completes on the next one, and no "seeded" flag can disagree with the data."""
    from avtal_stack import demo_billing, demo_contracts, demo_notices  # they build on these helpers

    s = stack.secrets
    today = datetime.now(UTC).date()
    # Once the printed customer login works, its user needs no second (password-hashing) POST.
    customer_ok = _customer_login_works(stack.portal_url, s["customer_email"], s["customer_password"])
    with httpx.Client(base_url=stack.portal_url, timeout=60) as api:
        ok(sign_in(api, s["staff_email"], s["staff_password"]))
        _products(api)
        _catalog(api, today)
        customer = None if customer_ok else s
        contract_ids = [customer_and_contract(api, spec, customer) for spec in contract_specs(today)]
        demo_contracts.calendar(api, today)
        contract_ids += demo_billing.vat_examples(api, today)
        for cid in contract_ids:  # billing knows the contract once its schedule is there
            _retry(lambda c=cid: api.get(f"/api/v1/contracts/{c}/schedule"))
        demo_contracts.amended_contract(api, today)
        for as_of in [*_month_starts(months_before(today, 9), today), today]:
            ok(api.post("/api/v1/billing-runs", json={"as_of": str(as_of), "run_key": f"demo:{as_of}"}))
        demo_contracts.parties(api)
        demo_billing.payments(api)
        demo_notices.notices(api, stack, today)
    if not customer_ok and not _customer_login_works(
        stack.portal_url, s["customer_email"], s["customer_password"]
    ):
        raise SystemExit(
            f"the demo customer {s['customer_email']} exists with a password other than the one in "
            "secrets.json (was the stack home's secrets.json replaced?). Set it again as staff, or "
            "start afresh by deleting the stack home."
        )


def sign_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    """Sign in, then send the CSRF token (cookie `avtal_csrf`) with every later request."""
    r = client.post("/api/v1/login", json={"email": email, "password": password})
    token = client.cookies.get("avtal_csrf")
    if r.is_success and token:
        client.headers["X-CSRF-Token"] = token
    return r


def _products(api: httpx.Client) -> None:
    """Create the demo products not there yet (a POST upserts by SKU; skipping keeps their version)."""
    existing = {p["sku"] for p in items_of(ok(api.get("/api/v1/products", params={"limit": 1000})))}
    for p in PRODUCTS:
        if p["sku"] not in existing:
            ok(api.post("/api/v1/products", json=p | {"currency": "SEK"}))


LEVELS = [
    {"code": "bronze", "name": "Bronze", "response_hours": 72, "coverage": "8x5", "onsite": False,
     "parts_included": False},
    {"code": "silver", "name": "Silver", "response_hours": 24, "coverage": "8x5", "onsite": True,
     "parts_included": True},
    {"code": "gold", "name": "Gold", "response_hours": 4, "coverage": "24x7", "onsite": True,
     "parts_included": True},
]  # fmt: skip
PARTIES = [
    {"kind": "vendor", "code": "DELL", "name": "Dell Technologies"},
    {"kind": "distributor", "code": "INGRAM", "name": "Ingram Micro"},
]
# (sku, name, models, level, unit, Dell list price, Ingram list price) of Dell maintenance products.
DELL = [
    ("DELL-R740-GOLD", "Dell PowerEdge R740 Gold care", ["R740", "R740xd"], "gold", "item_year",
     "9800.00", "8900.00"),
    ("DELL-R740-SILVER", "Dell PowerEdge R740 Silver care", ["R740", "R740xd"], "silver", "item_year",
     "5400.00", "4950.00"),
    ("DELL-R750-BRONZE", "Dell PowerEdge R750 Bronze care", ["R750"], "bronze", "item_year",
     "2600.00", "2390.00"),
    ("DELL-ME5-GOLD", "Dell PowerVault ME5 Gold care", ["ME5012", "ME5024"], "gold", "item_month",
     "690.00", "640.00"),
]  # fmt: skip


def _catalog(api: httpx.Client, today: date) -> None:
    """Maintenance levels, a Dell vendor list and an Ingram distributor list, and one past price job."""
    for level in LEVELS:
        ok(api.post("/api/v1/maintenance-levels", json=level))
    for party in PARTIES:
        ok(api.post("/api/v1/parties", json=party))
    existing = {p["sku"]: p for p in items_of(ok(api.get("/api/v1/products", params={"limit": 1000})))}
    since = date(today.year - 1, 1, 1)
    for sku, name, models, level, unit, dell, ingram in DELL:
        body = {"sku": sku, "name": name, "annual_price": dell, "currency": "SEK", "vendor": "DELL",
                "category": "server", "manufacturer": "Dell", "models": models, "maintenance_level": level,
                "billing_unit": unit}  # fmt: skip
        product = existing.get(sku) or ok(api.post("/api/v1/products", json=body))
        listed = {e["party_code"] for e in ok(api.get(f"/api/v1/products/{product['product_id']}/prices"))}
        for code, price in (("DELL", dell), ("INGRAM", ingram)):
            if code not in listed:
                entry = {"party_code": code, "list_price": price, "effective_from": str(since)}
                ok(api.post(f"/api/v1/products/{product['product_id']}/prices", json=entry))
    if not ok(api.get("/api/v1/price-jobs", params={"limit": 1}))["total"]:
        rule = {"change": "index", "value": "1.032", "rounding": "0.99"}  # this year's CPI on Dell's list
        job = {"selection": {"vendor": "DELL"}, "rule": rule, "effective_from": str(date(today.year, 1, 1))}
        ok(api.post(f"/api/v1/price-jobs/{ok(api.post('/api/v1/price-jobs', json=job))['job_id']}/apply"))


def customer_and_contract(api: httpx.Client, spec: dict[str, Any], s: dict[str, str] | None) -> str:
    """The customer and its contract; and the customer's user when `s` (the secrets) asks for it."""
    ref = spec["customer"]["external_ref"]
    key = {"Idempotency-Key": f"demo-customer-{ref}"}
    customer_id = ok(api.post("/api/v1/customers", json=spec["customer"], headers=key))["customer_id"]
    contract_id = _contract(api, spec, customer_id)
    if ref == "DEMO-NF" and s is not None:
        user = {"email": s["customer_email"], "password": s["customer_password"]}
        r = api.post("/api/v1/users", json=user | {"role": "customer", "customer_id": customer_id})
        if r.status_code != 409:  # 409: the user exists already (an earlier start made it)
            ok(r)
    return contract_id


def _contract(api: httpx.Client, spec: dict[str, Any], customer_id: str) -> str:
    ref = spec["customer"]["external_ref"]
    body = {k: v for k, v in spec.items() if k != "customer"} | {"customer_id": customer_id}
    key = {"Idempotency-Key": f"demo-contract-{ref}"}
    r = _retry_response(lambda: api.post("/api/v1/contracts", json=body, headers=key))
    if r.status_code == 409:
        # The key was used with other dates: an interrupted seeding in an earlier month made it.
        made = items_of(ok(api.get("/api/v1/contracts", params={"customer_id": customer_id})))
        if made:
            return str(made[0]["contract_id"])
    return str(ok(r)["contract_id"])


def _customer_login_works(portal_url: str, email: str, password: str) -> bool:
    with httpx.Client(base_url=portal_url, timeout=30) as customer:
        return sign_in(customer, email, password).is_success


def items_of(body: Any) -> list[dict[str, Any]]:
    """A list body, or a page of one ({"items": [...], "total": ...})."""
    return list(body["items"]) if isinstance(body, dict) else list(body)


def _month_starts(start: date, until: date) -> list[date]:
    """The first of every month from `start` up to `until`."""
    months = (until.year - start.year) * 12 + until.month - start.month
    return [months_before(until, months - k) for k in range(months + 1)]


def ok(r: httpx.Response) -> Any:
    if r.status_code >= 400:
        raise SystemExit(
            f"demo seeding failed: {r.request.method} {r.request.url} → {r.status_code} {r.text}"
        )
    return r.json() if r.content else None


def _retry(call: Any, timeout_s: float = 60.0) -> Any:
    return ok(_retry_response(call, timeout_s))


def _retry_response(call: Any, timeout_s: float = 60.0) -> httpx.Response:
    """Events take a moment to reach the next service: retry a 404 until it arrives."""
    deadline = time.monotonic() + timeout_s
    while True:
        r: httpx.Response = call()
        if r.status_code != 404 or time.monotonic() > deadline:
            return r
        time.sleep(0.3)
