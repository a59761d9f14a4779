"""Demo data, seeded through the public API in idempotent steps: catalog, customers, contracts, invoices."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
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


def seed_demo(stack: Stack) -> None:
    """Make sure the demo data is there. Every step is idempotent, so this simply runs on every start:
    an interrupted seeding completes on the next one, and no "seeded" flag can disagree with the data."""
    s = stack.secrets
    today = datetime.now(UTC).date()
    # Once the printed customer login works, its user needs no second (password-hashing) POST.
    customer_ok = _customer_login_works(stack.portal_url, s["customer_email"], s["customer_password"])
    with httpx.Client(base_url=stack.portal_url, timeout=60) as api:
        _ok(sign_in(api, s["staff_email"], s["staff_password"]))
        _products(api)
        _catalog(api, today)
        customer = None if customer_ok else s
        contract_ids = [_customer_and_contract(api, spec, customer) for spec in _contracts(today)]
        _calendar(api, today)
        for cid in contract_ids:  # billing knows the contract once its schedule is there
            _retry(lambda c=cid: api.get(f"/api/v1/contracts/{c}/schedule"))
        _amended_contract(api, today)
        for as_of in [*_month_starts(_months_before(today, 9), today), today]:
            _ok(api.post("/api/v1/billing-runs", json={"as_of": str(as_of), "run_key": f"demo:{as_of}"}))
        _parties(api)
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
    existing = {p["sku"] for p in _items(_ok(api.get("/api/v1/products", params={"limit": 1000})))}
    for p in PRODUCTS:
        if p["sku"] not in existing:
            _ok(api.post("/api/v1/products", json=p | {"currency": "SEK"}))


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
        _ok(api.post("/api/v1/maintenance-levels", json=level))
    for party in PARTIES:
        _ok(api.post("/api/v1/parties", json=party))
    existing = {p["sku"]: p for p in _items(_ok(api.get("/api/v1/products", params={"limit": 1000})))}
    since = date(today.year - 1, 1, 1)
    for sku, name, models, level, unit, dell, ingram in DELL:
        body = {"sku": sku, "name": name, "annual_price": dell, "currency": "SEK", "vendor": "DELL",
                "category": "server", "manufacturer": "Dell", "models": models, "maintenance_level": level,
                "billing_unit": unit}  # fmt: skip
        product = existing.get(sku) or _ok(api.post("/api/v1/products", json=body))
        listed = {e["party_code"] for e in _ok(api.get(f"/api/v1/products/{product['product_id']}/prices"))}
        for code, price in (("DELL", dell), ("INGRAM", ingram)):
            if code not in listed:
                entry = {"party_code": code, "list_price": price, "effective_from": str(since)}
                _ok(api.post(f"/api/v1/products/{product['product_id']}/prices", json=entry))
    if not _ok(api.get("/api/v1/price-jobs", params={"limit": 1}))["total"]:
        rule = {"change": "index", "value": "1.032", "rounding": "0.99"}  # this year's CPI on Dell's list
        job = {"selection": {"vendor": "DELL"}, "rule": rule, "effective_from": str(date(today.year, 1, 1))}
        _ok(api.post(f"/api/v1/price-jobs/{_ok(api.post('/api/v1/price-jobs', json=job))['job_id']}/apply"))


def _customer_and_contract(api: httpx.Client, spec: dict[str, Any], s: dict[str, str] | None) -> str:
    """The customer and its contract; and the customer's user when `s` (the secrets) asks for it."""
    ref = spec["customer"]["external_ref"]
    key = {"Idempotency-Key": f"demo-customer-{ref}"}
    customer_id = _ok(api.post("/api/v1/customers", json=spec["customer"], headers=key))["customer_id"]
    contract_id = _contract(api, spec, customer_id)
    if ref == "DEMO-NF" and s is not None:
        user = {"email": s["customer_email"], "password": s["customer_password"]}
        r = api.post("/api/v1/users", json=user | {"role": "customer", "customer_id": customer_id})
        if r.status_code != 409:  # 409: the user exists already (an earlier start made it)
            _ok(r)
    return contract_id


def _contract(api: httpx.Client, spec: dict[str, Any], customer_id: str) -> str:
    ref = spec["customer"]["external_ref"]
    body = {k: v for k, v in spec.items() if k != "customer"} | {"customer_id": customer_id}
    key = {"Idempotency-Key": f"demo-contract-{ref}"}
    r = _retry_response(lambda: api.post("/api/v1/contracts", json=body, headers=key))
    if r.status_code == 409:
        # The key was used with other dates: an interrupted seeding in an earlier month made it.
        made = _items(_ok(api.get("/api/v1/contracts", params={"customer_id": customer_id})))
        if made:
            return str(made[0]["contract_id"])
    return str(_ok(r)["contract_id"])


# A contract with a history of workflow operations (the workspace's History tab): each step is taken only
# while the contract is at the version before it, so a restarted seeding finishes what it began.
OPS_CUSTOMER = {
    "name": "Västra Verkstad AB",
    "email": "ekonomi@vastraverkstad.example",
    "external_ref": "DEMO-VV",
}


def _ops_steps(today: date, removed: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    three_ago, next_month = _months_before(today, 3), _months_before(today, -1)
    added = {
        "sku": "PRN-CARE",
        "manufacturer_no": "HP-3PZ95A",
        "model": "LaserJet M607",
        "serial_no": "PHBLK77001",
    }
    return [
        ("add-items", {"effective_date": str(three_ago), "items": [added]}),
        ("change-prices", {"effective_date": str(_months_before(today, 1)), "percent": "3.5"}),
        ("remove-items", {"effective_date": str(next_month), "item_ids": [removed["item"]["item_id"]]}),
    ]


def _amended_contract(api: httpx.Client, today: date) -> None:
    start = _months_before(today, 6)
    spec = {
        "customer": OPS_CUSTOMER,
        "start_date": str(start),
        "end_date": str(date(start.year + 2, start.month, 1) - timedelta(days=1)),
        "billing_interval_months": 3,
        "lines": [
            {
                "sku": "SRV-SILVER-NBD",
                "manufacturer_no": "DELL-R750",
                "model": "PowerEdge R750",
                "serial_no": "9VV1001",
            },
            {
                "sku": "SRV-GOLD-247",
                "manufacturer_no": "HPE-P24840",
                "model": "ProLiant DL380",
                "serial_no": "CZVV2002",
            },
        ],
    }
    contract_id = _customer_and_contract(api, spec, None)
    c = _ok(api.get(f"/api/v1/contracts/{contract_id}"))
    dell = next(ln for ln in c["lines"] if ln["item"]["serial_no"] == "9VV1001")
    for version, (name, body) in enumerate(_ops_steps(today, dell), start=1):
        if c["version"] == version:
            _ok(api.post(f"/api/v1/contracts/{contract_id}/{name}", json={"version": version, **body}))
            c = _ok(api.get(f"/api/v1/contracts/{contract_id}"))


# Billing terms of the two API-made demo customers: a Swedish one and an EU one with reverse charge.
TERMS = {
    "DEMO-NF": {"contact_name": "Lena Holm", "phone": "+46 31 700 12 00", "address_line": "Hamnvägen 3",
                "postal_code": "417 64", "city": "Göteborg", "country": "SE", "tax_id": "SE556123456701",
                "vat_rate": "25.00", "payment_terms_days": 30, "external_ids": {"erp": "10001"}},
    "DEMO-BC": {"contact_name": "Aino Virtanen", "phone": "+358 9 1234 5678",
                "address_line": "Mannerheimintie 12", "postal_code": "00100", "city": "Helsinki",
                "country": "FI", "tax_id": "FI12345678", "vat_rate": "0.00", "reverse_charge": True,
                "payment_terms_days": 14, "external_ids": {"erp": "10002"}},
}  # fmt: skip
SITES = {
    "DEMO-NF": ("Göteborg terminal", "Hamnvägen 3", "Göteborg"),
    "DEMO-BC": ("Helsinki clinic", None, "Helsinki"),
}
# deploy/demo beside the sources (absent from an installed wheel: then only the terms and sites are seeded).
DEMO_FILES = Path(__file__).resolve().parents[3] / "deploy" / "demo"


def _parties(api: httpx.Client) -> None:
    """Billing terms, sites and items of the demo customers, then three more customers with their items
    and contracts from the sample CSV files (imports are idempotent by reference: re-runs change nothing)."""
    for ref, terms in TERMS.items():
        found = _items(_ok(api.get("/api/v1/customers", params={"q": ref})))
        customer = next((c for c in found if c["external_ref"] == ref), None)
        if customer is None:
            continue
        cid = customer["customer_id"]
        _ok(api.patch(f"/api/v1/customers/{cid}", json=terms))
        _site_with_items(api, cid, *SITES[ref])
    for kind in ("customers", "items", "contracts"):
        if (DEMO_FILES / f"{kind}.csv").exists():
            _import(api, kind, (DEMO_FILES / f"{kind}.csv").read_bytes())


def _site_with_items(api: httpx.Client, customer_id: str, name: str, street: str | None, city: str) -> None:
    """The customer's site (made once) holding every item of the customer not yet placed anywhere."""
    sites = {s["name"]: s for s in _ok(api.get(f"/api/v1/customers/{customer_id}/sites"))}
    site = sites.get(name) or _ok(
        api.post(
            f"/api/v1/customers/{customer_id}/sites",
            json={"name": name, "address_line": street, "city": city},
        )
    )
    for item in _items(_ok(api.get(f"/api/v1/customers/{customer_id}/items"))):
        if item["site_id"] is None:
            _ok(api.patch(f"/api/v1/items/{item['item_id']}", json={"site_id": site["site_id"]}))


def _import(api: httpx.Client, kind: str, data: bytes) -> None:
    params = {"kind": kind, "file_name": f"demo-{kind}.csv"}
    job = _ok(api.post("/api/v1/imports", params=params, content=data, headers={"Content-Type": "text/csv"}))
    deadline = time.monotonic() + 120
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.3)
        job = _ok(api.get(f"/api/v1/imports/{job['job_id']}"))
    report = job.get("report") or {}
    if job["status"] != "done" or not report.get("committed"):
        raise SystemExit(f"demo seeding failed: the {kind} import reported {job.get('error') or report}")


def _calendar(api: httpx.Client, today: date) -> None:
    """Renewal demo: KPI values, a contract of Nordic Freight ending in 20 days (its user can accept the
    renewal in the portal) and an auto-renewing one of Baltic Clinics priced by KPI, ending in 75 days."""
    for period, value in ((today.year - 1, "408.20"), (today.year, "419.64"), (today.year + 1, "428.90")):
        _ok(api.post("/api/v1/indexes", json={"name": "KPI", "period": period, "value": value}))
    specs = _contracts(today)
    for spec, days, serial, terms in (
        (specs[0], 20, "PHBLK99001", {"notice_days": 0}),
        (
            specs[1],
            75,
            "J30RENEW1",
            {"auto_renew": True, "price_policy": "uplift_index", "uplift_index": "KPI"},
        ),
    ):
        key = {"Idempotency-Key": f"demo-customer-{spec['customer']['external_ref']}"}
        customer_id = _ok(api.post("/api/v1/customers", json=spec["customer"], headers=key))["customer_id"]
        end = today + timedelta(days=days)
        line = {
            "sku": "PRN-CARE",
            "manufacturer_no": "HP-3PZ95A",
            "model": "LaserJet M607",
            "serial_no": serial,
        }
        body = {
            "customer_id": customer_id,
            "start_date": str(end - timedelta(days=364)),
            "end_date": str(end),
        }
        r = api.post("/api/v1/contracts", json=body | terms | {"lines": [line]})
        if r.status_code != 409:  # 409: an earlier start covered this item already
            _ok(r)


def _customer_login_works(portal_url: str, email: str, password: str) -> bool:
    with httpx.Client(base_url=portal_url, timeout=30) as customer:
        return sign_in(customer, email, password).is_success


def _items(body: Any) -> list[dict[str, Any]]:
    """A list body, or a page of one ({"items": [...], "total": ...})."""
    return list(body["items"]) if isinstance(body, dict) else list(body)


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
    return _ok(_retry_response(call, timeout_s))


def _retry_response(call: Any, timeout_s: float = 60.0) -> httpx.Response:
    """Events take a moment to reach the next service: retry a 404 until it arrives."""
    deadline = time.monotonic() + timeout_s
    while True:
        r: httpx.Response = call()
        if r.status_code != 404 or time.monotonic() > deadline:
            return r
        time.sleep(0.3)
