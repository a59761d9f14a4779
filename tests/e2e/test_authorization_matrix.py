"""Every gateway route × {anonymous, staff, customer A, customer B}: each gets exactly what it should."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from avtal_common.runtime import build_app
from avtal_common.settings import CommonSettings
from avtal_gateway.main import SPEC
from avtal_gateway.settings import GatewaySettings
from avtal_testing.api import eventually, make_customer_with_contract, ok, unique
from avtal_testing.stack import StackInfo

WHO = ("anonymous", "staff", "customer A", "customer B")
LOGIN = "→ /login"  # a page sends a signed-out browser to the sign-in form
PASSWORD = "correct horse battery"
NOBODY = "00000000-0000-4000-8000-000000000000"  # a user id that does not exist
Body = Callable[["World"], dict[str, Any]]


@dataclass(frozen=True)
class Expect:
    url: str  # {contract} and {invoice} are customer A's
    anonymous: int | str
    staff: int | str
    a: int | str
    b: int | str
    json: Body | None = None
    form: Body | None = None
    signs_out: bool = False  # sent from a session of its own, so the others stay signed in
    stream: bool = False  # an endless response: the status is all that is read

    def of(self, who: str) -> int | str:
        return {"anonymous": self.anonymous, "staff": self.staff, "customer A": self.a, "customer B": self.b}[
            who
        ]


def everyone(status: int | str, url: str, **kw: Any) -> Expect:
    return Expect(url, status, status, status, status, **kw)


def staff_only(url: str, ok_status: int = 200, **kw: Any) -> Expect:
    return Expect(url, 401, ok_status, 403, 403, **kw)


def customer_as(url: str) -> Expect:
    """Customer A's object: B is told it does not exist."""
    return Expect(url, 401, 200, 200, 404)


def signed_in(url: str) -> Expect:
    return Expect(url, 401, 200, 200, 200)


def _line(w: World) -> dict[str, str]:
    return {"sku": w.sku, "manufacturer_no": unique("M"), "model": "X", "serial_no": unique("SN")}


EXPECTATIONS: dict[tuple[str, str], Expect] = {
    # Public API
    ("POST", "/api/v1/login"): everyone(400, "/api/v1/login", json=lambda w: {}),
    ("POST", "/api/v1/logout"): Expect("/api/v1/logout", 401, 204, 204, 204, signs_out=True),
    ("GET", "/api/v1/me"): signed_in("/api/v1/me"),
    ("POST", "/api/v1/me/password"): Expect("/api/v1/me/password", 401, 400, 400, 400, json=lambda w: {}),
    ("GET", "/api/v1/users"): staff_only("/api/v1/users"),
    ("GET", "/api/v1/outbox/{service:str}/quarantined"): staff_only("/api/v1/outbox/billing/quarantined"),
    ("POST", "/api/v1/outbox/{service:str}/quarantined/{event_id:uuid}/retry"): Expect(
        f"/api/v1/outbox/billing/quarantined/{NOBODY}/retry", 401, 404, 403, 403
    ),
    ("DELETE", "/api/v1/outbox/{service:str}/quarantined/{event_id:uuid}"): Expect(
        f"/api/v1/outbox/contracts/quarantined/{NOBODY}", 401, 404, 403, 403
    ),
    ("POST", "/api/v1/users/{user_id:uuid}/disable"): Expect(
        f"/api/v1/users/{NOBODY}/disable", 401, 404, 403, 403
    ),
    ("POST", "/api/v1/users/{user_id:uuid}/enable"): Expect(
        f"/api/v1/users/{NOBODY}/enable", 401, 404, 403, 403
    ),
    ("GET", "/api/v1/products"): signed_in("/api/v1/products"),
    ("POST", "/api/v1/products"): staff_only(
        "/api/v1/products", 201, json=lambda w: {"sku": unique("SKU"), "name": "N", "annual_price": "1.00"}
    ),
    ("GET", "/api/v1/customers"): staff_only("/api/v1/customers"),
    ("POST", "/api/v1/customers"): staff_only(
        "/api/v1/customers", 201, json=lambda w: {"name": unique("C"), "email": f"{unique('c')}@example.com"}
    ),
    ("POST", "/api/v1/users"): staff_only(
        "/api/v1/users",
        201,
        json=lambda w: {
            "email": f"{unique('u')}@example.com",
            "password": PASSWORD,
            "role": "customer",
            "customer_id": w.customer_a,
        },
    ),
    ("GET", "/api/v1/contracts"): signed_in("/api/v1/contracts"),
    ("POST", "/api/v1/contracts"): staff_only(
        "/api/v1/contracts",
        201,
        json=lambda w: {
            "customer_id": w.customer_a,
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "lines": [_line(w)],
        },
    ),
    ("GET", "/api/v1/contracts/{contract_id:uuid}"): customer_as("/api/v1/contracts/{contract}"),
    ("GET", "/api/v1/contracts/{contract_id:uuid}/schedule"): customer_as(
        "/api/v1/contracts/{contract}/schedule"
    ),
    # Renewals and index values (issue 8, calendar): a nonexistent contract where a call would renew
    ("GET", "/api/v1/contracts/{contract_id:uuid}/renewal"): customer_as(
        "/api/v1/contracts/{contract}/renewal"
    ),
    ("POST", "/api/v1/contracts/{contract_id:uuid}/renewal/accept"): Expect(
        f"/api/v1/contracts/{NOBODY}/renewal/accept", 401, 404, 404, 404
    ),
    ("POST", "/api/v1/contracts/{contract_id:uuid}/renewal/decline"): Expect(
        f"/api/v1/contracts/{NOBODY}/renewal/decline", 401, 404, 404, 404
    ),
    ("POST", "/api/v1/contracts/{contract_id:uuid}/renew"): Expect(
        f"/api/v1/contracts/{NOBODY}/renew", 401, 404, 403, 403
    ),
    ("GET", "/api/v1/indexes"): staff_only("/api/v1/indexes"),
    ("POST", "/api/v1/indexes"): Expect("/api/v1/indexes", 401, 400, 403, 403, json=lambda w: {}),
    ("GET", "/api/v1/invoices"): signed_in("/api/v1/invoices"),
    ("GET", "/api/v1/invoices/{invoice_id:uuid}"): customer_as("/api/v1/invoices/{invoice}"),
    ("GET", "/api/v1/invoices/{invoice_id:uuid}/pdf"): customer_as("/api/v1/invoices/{invoice}/pdf"),
    # Billing for staff (issue 9): runs, a run's PDFs, re-rendering, payments, receivables.
    ("GET", "/api/v1/billing-runs"): staff_only("/api/v1/billing-runs"),
    ("GET", "/api/v1/billing-runs/preview"): staff_only("/api/v1/billing-runs/preview"),
    ("GET", "/api/v1/billing-runs/{run_key:str}"): Expect("/api/v1/billing-runs/nope", 401, 404, 403, 403),
    ("GET", "/api/v1/billing-runs/{run_key:str}/pdfs.zip"): Expect(
        "/api/v1/billing-runs/nope/pdfs.zip", 401, 404, 403, 403
    ),
    ("POST", "/api/v1/invoices/{invoice_id:uuid}/pdf/render"): Expect(
        f"/api/v1/invoices/{NOBODY}/pdf/render", 401, 404, 403, 403
    ),
    ("GET", "/api/v1/payments"): staff_only("/api/v1/payments"),
    ("POST", "/api/v1/payments"): Expect("/api/v1/payments", 401, 400, 403, 403, json=lambda w: {}),
    ("POST", "/api/v1/payments/{payment_id:str}/resolve"): Expect(
        "/api/v1/payments/nope/resolve", 401, 404, 403, 403, json=lambda w: {"invoice_id": NOBODY}
    ),
    ("GET", "/api/v1/receivables"): staff_only("/api/v1/receivables"),
    ("POST", "/api/v1/billing-runs"): staff_only(
        "/api/v1/billing-runs", 201, json=lambda w: {"as_of": "2026-01-01", "run_key": unique("run")}
    ),
    ("GET", "/api/v1/revenue/monthly"): staff_only("/api/v1/revenue/monthly"),
    # The staff dashboard (issue 10): its JSON, the page, the endless event stream (only its status is read)
    # and the CSV exports; narrowed to customer A, whose figures no other test moves.
    ("GET", "/api/v1/dashboard"): staff_only("/api/v1/dashboard?customer_id={customer}&months=2"),
    ("GET", "/api/v1/dashboard/version"): staff_only("/api/v1/dashboard/version"),
    ("GET", "/dashboard"): Expect("/dashboard?customer_id={customer}&months=2", LOGIN, 200, 403, 403),
    ("GET", "/dashboard/stream"): Expect("/dashboard/stream", LOGIN, 200, 403, 403, stream=True),
    ("GET", "/dashboard/export/{file_name:str}"): Expect(
        "/dashboard/export/aging.csv?customer_id={customer}", LOGIN, 200, 403, 403
    ),
    ("GET", "/api/v1/emails"): staff_only("/api/v1/emails"),
    # Catalog (issue 7): search and product reads for everyone signed in, the rest for staff
    ("GET", "/api/v1/products/search"): signed_in("/api/v1/products/search?q=poweredge"),
    ("GET", "/api/v1/products/{product_id:uuid}"): Expect(f"/api/v1/products/{NOBODY}", 401, 404, 404, 404),
    ("GET", "/api/v1/maintenance-levels"): signed_in("/api/v1/maintenance-levels"),
    ("POST", "/api/v1/products/{product_id:uuid}/retire"): Expect(
        f"/api/v1/products/{NOBODY}/retire", 401, 404, 403, 403
    ),
    ("GET", "/api/v1/products/{product_id:uuid}/prices"): Expect(
        f"/api/v1/products/{NOBODY}/prices", 401, 404, 403, 403
    ),
    ("POST", "/api/v1/products/{product_id:uuid}/prices"): Expect(
        f"/api/v1/products/{NOBODY}/prices", 401, 400, 403, 403, json=lambda w: {}
    ),
    ("GET", "/api/v1/parties"): staff_only("/api/v1/parties"),
    ("POST", "/api/v1/parties"): Expect("/api/v1/parties", 401, 400, 403, 403, json=lambda w: {}),
    ("POST", "/api/v1/maintenance-levels"): Expect(
        "/api/v1/maintenance-levels", 401, 400, 403, 403, json=lambda w: {}
    ),
    ("GET", "/api/v1/price-jobs"): staff_only("/api/v1/price-jobs"),
    ("POST", "/api/v1/price-jobs"): Expect("/api/v1/price-jobs", 401, 400, 403, 403, json=lambda w: {}),
    ("GET", "/api/v1/price-jobs/{job_id:uuid}"): Expect(f"/api/v1/price-jobs/{NOBODY}", 401, 404, 403, 403),
    ("GET", "/api/v1/price-jobs/{job_id:uuid}/rows"): Expect(
        f"/api/v1/price-jobs/{NOBODY}/rows", 401, 404, 403, 403
    ),
    ("POST", "/api/v1/price-jobs/{job_id:uuid}/apply"): Expect(
        f"/api/v1/price-jobs/{NOBODY}/apply", 401, 404, 403, 403
    ),
    ("POST", "/api/v1/price-jobs/{job_id:uuid}/revert"): Expect(
        f"/api/v1/price-jobs/{NOBODY}/revert", 401, 404, 403, 403
    ),
    ("GET", "/catalog/products"): Expect("/catalog/products?q=poweredge", LOGIN, 200, 200, 200),
    ("GET", "/catalog/products/{product_id:uuid}"): Expect(
        f"/catalog/products/{NOBODY}", LOGIN, 404, 404, 404
    ),
    ("POST", "/catalog/products/{product_id:uuid}/retire"): Expect(
        f"/catalog/products/{NOBODY}/retire", LOGIN, 404, 403, 403
    ),
    ("GET", "/catalog/price-jobs"): Expect("/catalog/price-jobs", LOGIN, 200, 403, 403),
    ("POST", "/catalog/price-jobs"): Expect("/catalog/price-jobs", LOGIN, 400, 403, 403, form=lambda w: {}),
    ("GET", "/catalog/price-jobs/{job_id:uuid}"): Expect(
        f"/catalog/price-jobs/{NOBODY}", LOGIN, 404, 403, 403
    ),
    ("POST", "/catalog/price-jobs/{job_id:uuid}/apply"): Expect(
        f"/catalog/price-jobs/{NOBODY}/apply", LOGIN, 404, 403, 403
    ),
    ("POST", "/catalog/price-jobs/{job_id:uuid}/revert"): Expect(
        f"/catalog/price-jobs/{NOBODY}/revert", LOGIN, 404, 403, 403
    ),
    # CSV imports: staff only (a JSON body is no CSV and names no kind: 400 for staff, after the guard)
    ("GET", "/api/v1/imports"): staff_only("/api/v1/imports"),
    ("POST", "/api/v1/imports"): staff_only("/api/v1/imports", 400, json=lambda w: {}),
    ("GET", "/api/v1/imports/{job_id:uuid}"): Expect(f"/api/v1/imports/{NOBODY}", 401, 404, 403, 403),
    ("POST", "/api/v1/imports/{job_id:uuid}/runs"): Expect(
        f"/api/v1/imports/{NOBODY}/runs", 401, 404, 403, 403, json=lambda w: {}
    ),
    # Workflow operations on one contract (issue 8, ops): staff only; an empty body is refused after the guard
    **{
        ("POST", f"/api/v1/contracts/{{contract_id:uuid}}/{op}"): Expect(
            f"/api/v1/contracts/{{contract}}/{op}", 401, 400, 403, 403, json=lambda w: {}
        )
        for op in ("add-items", "remove-items", "change-prices", "terminate", "bill-now")
    },
    ("GET", "/api/v1/contracts/{contract_id:uuid}/history"): staff_only(
        "/api/v1/contracts/{contract}/history"
    ),
    ("POST", "/contracts/{contract_id:uuid}/confirm"): Expect(
        "/contracts/{contract}/confirm", LOGIN, 400, 403, 403, form=lambda w: {}
    ),
    ("POST", "/contracts/{contract_id:uuid}/apply"): Expect(
        "/contracts/{contract}/apply", LOGIN, 400, 403, 403, form=lambda w: {}
    ),
    # Customers, sites and covered items (issue 8): staff change them; a customer reads its own ({customer}
    # is customer A)
    ("GET", "/api/v1/customers/{customer_id:uuid}"): customer_as("/api/v1/customers/{customer}"),
    ("PATCH", "/api/v1/customers/{customer_id:uuid}"): Expect(
        "/api/v1/customers/{customer}", 401, 200, 403, 403, json=lambda w: {}
    ),
    ("GET", "/api/v1/customers/{customer_id:uuid}/sites"): customer_as("/api/v1/customers/{customer}/sites"),
    ("POST", "/api/v1/customers/{customer_id:uuid}/sites"): Expect(
        "/api/v1/customers/{customer}/sites", 401, 400, 403, 403, json=lambda w: {}
    ),
    ("GET", "/api/v1/customers/{customer_id:uuid}/items"): customer_as("/api/v1/customers/{customer}/items"),
    ("POST", "/api/v1/items"): Expect("/api/v1/items", 401, 400, 403, 403, json=lambda w: {}),
    ("GET", "/api/v1/items/{item_id:uuid}"): Expect(f"/api/v1/items/{NOBODY}", 401, 404, 404, 404),
    ("PATCH", "/api/v1/items/{item_id:uuid}"): Expect(
        f"/api/v1/items/{NOBODY}", 401, 404, 403, 403, json=lambda w: {}
    ),
    ("GET", "/customers"): Expect("/customers?q=a", LOGIN, 200, 403, 403),
    ("POST", "/customers"): Expect("/customers", LOGIN, 400, 403, 403, form=lambda w: {}),
    ("GET", "/customers/{customer_id:uuid}"): Expect("/customers/{customer}", LOGIN, 200, 200, 404),
    ("GET", "/customers/{customer_id:uuid}/edit"): Expect("/customers/{customer}/edit", LOGIN, 200, 403, 403),
    ("POST", "/customers/{customer_id:uuid}/edit"): Expect(
        "/customers/{customer}/edit", LOGIN, 400, 403, 403, form=lambda w: {}
    ),
    ("POST", "/customers/{customer_id:uuid}/sites"): Expect(
        "/customers/{customer}/sites", LOGIN, 400, 403, 403, form=lambda w: {}
    ),
    ("POST", "/customers/{customer_id:uuid}/items"): Expect(
        "/customers/{customer}/items", LOGIN, 400, 403, 403, form=lambda w: {}
    ),
    # Contract search and bulk jobs (a JSON body without kind or selection: 400 for staff, after the guard)
    ("POST", "/api/v1/contracts/search"): Expect(
        "/api/v1/contracts/search", 401, 200, 200, 200, json=lambda w: {}
    ),
    ("GET", "/api/v1/bulk-jobs"): staff_only("/api/v1/bulk-jobs"),
    ("POST", "/api/v1/bulk-jobs"): staff_only("/api/v1/bulk-jobs", 400, json=lambda w: {}),
    ("POST", "/api/v1/bulk-jobs/preview"): staff_only("/api/v1/bulk-jobs/preview", 400, json=lambda w: {}),
    ("GET", "/api/v1/bulk-jobs/{job_id:uuid}"): Expect(f"/api/v1/bulk-jobs/{NOBODY}", 401, 404, 403, 403),
    ("GET", "/api/v1/bulk-jobs/{job_id:uuid}/contracts"): Expect(
        f"/api/v1/bulk-jobs/{NOBODY}/contracts", 401, 404, 403, 403
    ),
    ("POST", "/api/v1/bulk-jobs/{job_id:uuid}/undo"): Expect(
        f"/api/v1/bulk-jobs/{NOBODY}/undo", 401, 404, 403, 403
    ),
    # Portal pages
    ("GET", "/"): Expect("/", LOGIN, 200, 200, 200),
    ("GET", "/contracts/{contract_id:uuid}"): Expect("/contracts/{contract}", LOGIN, 200, 200, 404),
    ("GET", "/invoices/{invoice_id:uuid}/pdf"): Expect("/invoices/{invoice}/pdf", LOGIN, 200, 200, 404),
    ("GET", "/invoices"): Expect("/invoices", LOGIN, 200, 200, 200),
    ("GET", "/invoices/{invoice_id:uuid}"): Expect("/invoices/{invoice}", LOGIN, 200, 200, 404),
    ("POST", "/invoices/{invoice_id:uuid}/pdf/render"): Expect(
        f"/invoices/{NOBODY}/pdf/render", LOGIN, 404, 403, 403, form=lambda w: {}
    ),
    ("GET", "/contracts"): Expect("/contracts", LOGIN, 200, 200, 200),
    ("POST", "/contracts/bulk/preview"): Expect(
        "/contracts/bulk/preview", LOGIN, 400, 403, 403, form=lambda w: {}
    ),
    ("POST", "/contracts/bulk/apply"): Expect(
        "/contracts/bulk/apply", LOGIN, 400, 403, 403, form=lambda w: {}
    ),
    ("GET", "/contracts/bulk-jobs"): Expect("/contracts/bulk-jobs", LOGIN, 200, 403, 403),
    ("GET", "/contracts/bulk-jobs/{job_id:uuid}"): Expect(
        f"/contracts/bulk-jobs/{NOBODY}", LOGIN, 404, 403, 403
    ),
    ("POST", "/contracts/bulk-jobs/{job_id:uuid}/undo"): Expect(
        f"/contracts/bulk-jobs/{NOBODY}/undo", LOGIN, 404, 403, 403
    ),
    ("POST", "/contracts/{contract_id:uuid}/renewal/accept"): Expect(
        f"/contracts/{NOBODY}/renewal/accept", LOGIN, 404, 404, 404, form=lambda w: {}
    ),
    ("POST", "/contracts/{contract_id:uuid}/renewal/decline"): Expect(
        f"/contracts/{NOBODY}/renewal/decline", LOGIN, 404, 404, 404, form=lambda w: {}
    ),
    ("POST", "/contracts/{contract_id:uuid}/renew"): Expect(
        f"/contracts/{NOBODY}/renew", LOGIN, 404, 403, 403, form=lambda w: {}
    ),
    # Billing screens (issue 9), staff only.
    ("GET", "/billing"): Expect("/billing", LOGIN, 200, 403, 403),
    ("POST", "/billing/runs"): Expect("/billing/runs", LOGIN, 400, 403, 403, form=lambda w: {}),
    ("GET", "/billing/runs/{run_key:str}"): Expect("/billing/runs/nope", LOGIN, 404, 403, 403),
    ("GET", "/payments"): Expect("/payments", LOGIN, 200, 403, 403),
    ("POST", "/payments"): Expect("/payments", LOGIN, 400, 403, 403, form=lambda w: {}),
    ("POST", "/payments/{payment_id:str}/resolve"): Expect(
        "/payments/nope/resolve", LOGIN, 404, 403, 403, form=lambda w: {"invoice_no": "INV-1"}
    ),
    ("GET", "/receivables"): Expect("/receivables", LOGIN, 200, 403, 403),
    # Notifications (issue 10), staff only.
    ("GET", "/notifications"): Expect("/notifications?status=failed", LOGIN, 200, 403, 403),
    ("GET", "/notifications/preferences/{customer_id:uuid}"): Expect(
        "/notifications/preferences/{customer}", LOGIN, 200, 403, 403
    ),
    ("POST", "/notifications/preferences/{customer_id:uuid}"): Expect(
        f"/notifications/preferences/{NOBODY}", LOGIN, 404, 403, 403, form=lambda w: {}
    ),
    ("GET", "/imports"): Expect("/imports", LOGIN, 200, 403, 403),
    ("POST", "/imports"): Expect("/imports", LOGIN, 400, 403, 403, form=lambda w: {"kind": "products"}),
    ("GET", "/imports/{job_id:uuid}"): Expect(f"/imports/{NOBODY}", LOGIN, 404, 403, 403),
    ("POST", "/imports/{job_id:uuid}/mapping"): Expect(
        f"/imports/{NOBODY}/mapping", LOGIN, 404, 403, 403, form=lambda w: {"map:sku": "SKU"}
    ),
    ("POST", "/imports/{job_id:uuid}/commit"): Expect(
        f"/imports/{NOBODY}/commit", LOGIN, 404, 403, 403, form=lambda w: {"mode": "valid_rows"}
    ),
    ("GET", "/login"): everyone(200, "/login"),
    # The sign-in form needs the CSRF token of the sign-in page: a client without one is refused first.
    ("POST", "/login"): Expect(
        "/login", 403, 401, 401, 401, form=lambda w: {"email": "nobody@example.com", "password": "wrong"}
    ),
    ("POST", "/logout"): everyone(LOGIN, "/logout", signs_out=True),
    # Operations and documentation: open to all
    ("GET", "/health/live"): everyone(200, "/health/live"),
    ("GET", "/health/ready"): everyone(200, "/health/ready"),
    ("GET", "/metrics"): everyone(200, "/metrics"),
    ("GET", "/static/{file_path:path}"): everyone(200, "/static/portal.css"),
    ("HEAD", "/static/{file_path:path}"): everyone(200, "/static/portal.css"),
    ("GET", "/schema"): everyone(200, "/schema"),
    ("GET", "/schema/swagger"): everyone(200, "/schema/swagger"),
    ("GET", "/schema/openapi.json"): everyone(200, "/schema/openapi.json"),
    ("GET", "/schema/{path:str}"): everyone(404, "/schema/no-such-page"),
    ("GET", "/schema/ui/{file_path:path}"): everyone(200, "/schema/ui/avtal-docs.js"),
    ("HEAD", "/schema/ui/{file_path:path}"): everyone(200, "/schema/ui/swagger-ui-bundle.js"),
}


def gateway_routes() -> set[tuple[str, str]]:
    """(method, path) of every route the gateway serves, from its own route table (OPTIONS is CORS's)."""
    common = CommonSettings(service_token="route-table-only-token")
    app = build_app(SPEC, common, GatewaySettings(session_secret="00" * 32))
    return {(m, r.path) for r in app.routes for m in getattr(r, "methods", ()) if m != "OPTIONS"}


def test_every_gateway_route_has_an_expectation() -> None:
    routes = gateway_routes()
    missing = sorted(routes - EXPECTATIONS.keys())
    stale = sorted(EXPECTATIONS.keys() - routes)
    assert not missing, f"routes with no expectation (add them to EXPECTATIONS): {missing}"
    assert not stale, f"expectations for routes that no longer exist: {stale}"


@dataclass
class World:
    stack: StackInfo
    customer_a: str
    sku: str
    contract: str
    invoice: str
    emails: dict[str, str]


@contextmanager
def client(stack: StackInfo, who: str, world: World | None = None) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.portal_url, timeout=30, follow_redirects=False) as c:
        if who != "anonymous":
            # Signing out ends every session of a user, so the matrix signs in its own staff user, never
            # the suite's shared one (the world itself is built as the stack's staff user).
            if world is None:
                email, password = stack.staff_email, stack.staff_password
            else:
                email, password = world.emails[who], PASSWORD
            ok(c.post("/api/v1/login", json={"email": email, "password": password}))
            if "avtal_csrf" in c.cookies:  # interfaces.md §3
                c.headers["X-CSRF-Token"] = c.cookies["avtal_csrf"]
        yield c


def _user(staff: httpx.Client, role: str, customer_id: str | None = None) -> str:
    email = f"{unique('matrix')}@example.com"
    body = {"email": email, "password": PASSWORD, "role": role, "customer_id": customer_id}
    ok(staff.post("/api/v1/users", json=body))
    return email


@pytest.fixture(scope="module")
def world(stack: StackInfo) -> World:
    with client(stack, "staff") as staff:
        a = make_customer_with_contract(staff)
        b = make_customer_with_contract(staff)
        contract = a["contract"]["contract_id"]
        eventually(
            lambda: staff.get(f"/api/v1/contracts/{contract}/schedule").status_code == 200,
            what="billing to know customer A's contract",
        )
        ok(staff.post("/api/v1/billing-runs", json={"as_of": "2026-01-01", "run_key": unique("run")}))
        invoice = eventually(
            lambda: [
                i
                for i in ok(staff.get("/api/v1/invoices", params={"contract_id": contract}))["items"]
                if i["pdf_ready"]
            ],
            what="customer A's invoice PDF",
        )[0]
        emails = {
            "staff": _user(staff, "staff"),
            "customer A": _user(staff, "customer", a["customer"]["customer_id"]),
            "customer B": _user(staff, "customer", b["customer"]["customer_id"]),
        }
    return World(
        stack, a["customer"]["customer_id"], a["product"]["sku"], contract, invoice["invoice_id"], emails
    )


def _outcome(r: httpx.Response) -> int | str:
    if r.status_code in (302, 303, 307) and httpx.URL(r.headers.get("location", "")).path == "/login":
        return LOGIN
    return r.status_code


def _send(c: httpx.Client, method: str, e: Expect, w: World) -> int | str:
    url = e.url.format(contract=w.contract, invoice=w.invoice, customer=w.customer_a)
    json = e.json(w) if e.json else None
    data = e.form(w) if e.form else None
    if e.stream:
        with c.stream(method, url) as r:
            return _outcome(r)
    return _outcome(c.request(method, url, json=json, data=data))


def test_each_identity_gets_exactly_what_it_should_on_every_gateway_route(
    stack: StackInfo, world: World
) -> None:
    wrong = []
    for who in WHO:
        with client(stack, who, world) as c:
            # Signing out ends every session of the user (this client's too): those routes go last.
            for (method, path), e in sorted(EXPECTATIONS.items(), key=lambda kv: kv[1].signs_out):
                if e.signs_out:
                    with client(stack, who, world) as own:
                        got = _send(own, method, e, world)
                else:
                    got = _send(c, method, e, world)
                if got != e.of(who):
                    wrong.append(f"{who:10} {method:4} {path}: expected {e.of(who)}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_a_customer_lists_only_its_own_contracts_and_invoices(stack: StackInfo, world: World) -> None:
    with client(stack, "customer B", world) as b:
        contracts = ok(b.get("/api/v1/contracts", params={"customer_id": world.customer_a}))
        invoices = ok(b.get("/api/v1/invoices", params={"customer_id": world.customer_a}))
        page = b.get("/").text
    assert world.contract not in {c["contract_id"] for c in contracts["items"]}
    assert contracts["total"] == len(contracts["items"]) == 1
    assert world.invoice not in {i["invoice_id"] for i in invoices["items"]}
    assert world.contract not in page and world.invoice not in page
