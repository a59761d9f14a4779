"""`avtal up` seeds demo data once and prints where to sign in with which login."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from avtal_testing.api import ok, signed_in
from avtal_testing.stack import StackInfo


def test_the_banner_prints_the_portal_url_and_working_logins(stack: StackInfo) -> None:
    banner = (stack.home / "avtal-up.log").read_text()
    assert f"Portal:          {stack.portal_url}" in banner
    assert f"Staff login:     {stack.staff_email} / {stack.staff_password}" in banner
    assert f"Customer login:  {stack.customer_email} / {stack.customer_password}" in banner


def test_the_demo_customer_sees_its_contract_items_and_billing_history(stack: StackInfo) -> None:
    with signed_in(stack.portal_url, stack.customer_email, stack.customer_password) as me:
        contracts = ok(me.get("/api/v1/contracts"))["items"]
        assert {c["customer_name"] for c in contracts} == {"Nordic Freight AB"}
        serials = {ln["item"]["serial_no"] for c in contracts for ln in c["lines"]}
        assert serials == {"CZ2D1A0B7X", "7H3K9L2", "PHBLK12345", "PHBLK99001"}
        invoices = ok(me.get("/api/v1/invoices"))["items"]
        assert len({i["issue_date"] for i in invoices}) >= 2, "a history, not one run"
        assert all(i["customer_name"] == "Nordic Freight AB" for i in invoices)


def test_the_demo_catalog_has_leveled_products_two_price_lists_and_a_past_price_job(
    staff: httpx.Client,
) -> None:
    [product] = ok(
        staff.get("/api/v1/products/search", params={"q": "DELL-R740-GOLD", "category": "server"})
    )["items"][:1]
    history = ok(staff.get(f"/api/v1/products/{product['product_id']}/prices"))
    jobs = ok(staff.get("/api/v1/price-jobs"))["items"]
    assert (product["sku"], product["maintenance_level"]) == ("DELL-R740-GOLD", "gold")
    assert {e["party_kind"] for e in history} == {"vendor", "distributor"}
    assert any(j["status"] == "applied" and j["selection"]["vendor"] == "DELL" for j in jobs)
    # The CPI job split Dell's list: 9800.00 × 1.032 = 10113.60 → 10113.99 from this year on.
    assert "10113.99" in {e["list_price"] for e in history if e["party_code"] == "DELL"}


def test_the_demo_has_an_expiring_contract_to_renew_an_auto_renewing_one_and_kpi_values(
    stack: StackInfo, staff: httpx.Client
) -> None:
    today = date.today()
    # Both end within 100 days; the filters keep the suite's other contracts (thousands) out of the page.
    window = {"sku": "PRN-CARE", "end_from": str(today), "end_to": str(today + timedelta(days=100))}
    listed = ok(staff.get("/api/v1/contracts", params={**window, "limit": 1000}))["items"]
    expiring = [c for c in listed if any(ln["item"]["serial_no"] == "PHBLK99001" for ln in c["lines"])]
    auto = [c for c in listed if any(ln["item"]["serial_no"] == "J30RENEW1" for ln in c["lines"])]
    assert [(c["status"], c["terms"]["auto_renew"]) for c in expiring] == [("expiring", False)]
    assert [(c["terms"]["auto_renew"], c["terms"]["uplift_index"]) for c in auto] == [(True, "KPI")]
    assert len(ok(staff.get("/api/v1/indexes", params={"name": "KPI"}))) == 3
    with signed_in(stack.portal_url, stack.customer_email, stack.customer_password) as me:
        assert "Accept renewal" in me.get(f"/contracts/{expiring[0]['contract_id']}").text


def test_the_demo_bills_two_vat_rates_on_one_invoice_and_an_eu_business_with_reverse_charge(
    staff: httpx.Client,
) -> None:
    def invoice_of(name: str) -> dict:
        [customer] = ok(staff.get("/api/v1/customers", params={"q": name}))["items"]
        [listed, *_] = ok(staff.get("/api/v1/invoices", params={"customer_id": customer["customer_id"]}))[
            "items"
        ]
        return ok(staff.get(f"/api/v1/invoices/{listed['invoice_id']}"))  # type: ignore[no-any-return]

    mixed, reverse = invoice_of("Lärcentrum Syd"), invoice_of("Wartung Nord")

    assert sorted({ln["vat_rate"] for ln in mixed["lines"]}, key=float) == ["6.00", "25.00"]
    assert reverse["reverse_charge"] and reverse["vat"] == "0.00"


def test_the_demo_has_a_partial_payment_an_unmatched_one_and_unpaid_invoices(staff: httpx.Client) -> None:
    unmatched = ok(staff.get("/api/v1/payments", params={"status": "unmatched"}))["items"]
    matched = ok(staff.get("/api/v1/payments", params={"status": "matched"}))["items"]
    owed = ok(staff.get("/api/v1/receivables"))

    assert "DEMO-BG-0002" in {p["payment_id"] for p in unmatched}
    assert "DEMO-BG-0001" in {p["payment_id"] for p in matched}
    assert any(float(r["overdue"]) > 0 for r in owed), "unpaid invoices past their due date"
