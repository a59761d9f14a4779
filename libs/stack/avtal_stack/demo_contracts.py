"""Demo data of customers, sites, items and contracts at work: imports, an amendment history, renewals."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from avtal_stack import demo

# A contract with a history of workflow operations (the workspace's History tab): each step is taken only
# while the contract is at the version before it, so a restarted seeding finishes what it began.
OPS_CUSTOMER = {
    "name": "Västra Verkstad AB",
    "email": "ekonomi@vastraverkstad.example",
    "external_ref": "DEMO-VV",
}


def _ops_steps(today: date, removed: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    three_ago, next_month = demo.months_before(today, 3), demo.months_before(today, -1)
    added = {
        "sku": "PRN-CARE",
        "manufacturer_no": "HP-3PZ95A",
        "model": "LaserJet M607",
        "serial_no": "PHBLK77001",
    }
    return [
        ("add-items", {"effective_date": str(three_ago), "items": [added]}),
        ("change-prices", {"effective_date": str(demo.months_before(today, 1)), "percent": "3.5"}),
        ("remove-items", {"effective_date": str(next_month), "item_ids": [removed["item"]["item_id"]]}),
    ]


def amended_contract(api: httpx.Client, today: date) -> None:
    start = demo.months_before(today, 6)
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
    contract_id = demo.customer_and_contract(api, spec, None)
    c = demo.ok(api.get(f"/api/v1/contracts/{contract_id}"))
    dell = next(ln for ln in c["lines"] if ln["item"]["serial_no"] == "9VV1001")
    for version, (name, body) in enumerate(_ops_steps(today, dell), start=1):
        if c["version"] == version:
            demo.ok(api.post(f"/api/v1/contracts/{contract_id}/{name}", json={"version": version, **body}))
            c = demo.ok(api.get(f"/api/v1/contracts/{contract_id}"))


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


def parties(api: httpx.Client) -> None:
    """Billing terms, sites and items of the demo customers, then three more customers with their items
    and contracts from the sample CSV files (imports are idempotent by reference: re-runs change nothing)."""
    for ref, terms in TERMS.items():
        found = demo.items_of(demo.ok(api.get("/api/v1/customers", params={"q": ref})))
        customer = next((c for c in found if c["external_ref"] == ref), None)
        if customer is None:
            continue
        cid = customer["customer_id"]
        demo.ok(api.patch(f"/api/v1/customers/{cid}", json=terms))
        _site_with_items(api, cid, *SITES[ref])
    for kind in ("customers", "items", "contracts"):
        if (DEMO_FILES / f"{kind}.csv").exists():
            _import(api, kind, (DEMO_FILES / f"{kind}.csv").read_bytes())


def _site_with_items(api: httpx.Client, customer_id: str, name: str, street: str | None, city: str) -> None:
    """The customer's site (made once) holding every item of the customer not yet placed anywhere."""
    sites = {s["name"]: s for s in demo.ok(api.get(f"/api/v1/customers/{customer_id}/sites"))}
    site = sites.get(name) or demo.ok(
        api.post(
            f"/api/v1/customers/{customer_id}/sites",
            json={"name": name, "address_line": street, "city": city},
        )
    )
    for item in demo.items_of(demo.ok(api.get(f"/api/v1/customers/{customer_id}/items"))):
        if item["site_id"] is None:
            demo.ok(api.patch(f"/api/v1/items/{item['item_id']}", json={"site_id": site["site_id"]}))


def _import(api: httpx.Client, kind: str, data: bytes) -> None:
    params = {"kind": kind, "file_name": f"demo-{kind}.csv"}
    job = demo.ok(
        api.post("/api/v1/imports", params=params, content=data, headers={"Content-Type": "text/csv"})
    )
    deadline = time.monotonic() + 120
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.3)
        job = demo.ok(api.get(f"/api/v1/imports/{job['job_id']}"))
    report = job.get("report") or {}
    if job["status"] != "done" or not report.get("committed"):
        raise SystemExit(f"demo seeding failed: the {kind} import reported {job.get('error') or report}")


def calendar(api: httpx.Client, today: date) -> None:
    """Renewal demo: KPI values, a contract of Nordic Freight ending in 20 days (its user can accept the
    renewal in the portal) and an auto-renewing one of Baltic Clinics priced by KPI, ending in 75 days."""
    for period, value in ((today.year - 1, "408.20"), (today.year, "419.64"), (today.year + 1, "428.90")):
        demo.ok(api.post("/api/v1/indexes", json={"name": "KPI", "period": period, "value": value}))
    specs = demo.contract_specs(today)
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
        customer_id = demo.ok(api.post("/api/v1/customers", json=spec["customer"], headers=key))[
            "customer_id"
        ]
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
            demo.ok(r)
