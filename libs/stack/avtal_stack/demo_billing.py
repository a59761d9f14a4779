"""Demo data of billing: a product at another VAT rate, an invoice with two rates, and an EU business
customer billed with reverse charge (issue 9)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from avtal_stack import demo

# Printed service manuals are books: 6% VAT in Sweden, beside the 25% of the service itself.
MANUALS = {
    "sku": "DOC-MANUALS",
    "name": "Printed service manuals, yearly edition",
    "annual_price": "950.00",
    "currency": "SEK",
    "vendor": "Avtal Services",
    "category": "documentation",
    "vat_rate": "6",
}


def _specs(today: date) -> list[dict[str, Any]]:
    start = demo.months_before(today, 2)
    end = date(start.year + 1, start.month, 1) - timedelta(days=1)
    return [
        {
            "customer": {
                "name": "Lärcentrum Syd AB",
                "email": "ekonomi@larcentrumsyd.example",
                "locale": "sv",
                "external_ref": "DEMO-LS",
                "address_line": "Stora Södergatan 8",
                "postal_code": "222 23",
                "city": "Lund",
                "tax_id": "SE556677889901",
            },
            "start_date": str(start),
            "end_date": str(end),
            "billing_interval_months": 12,
            "lines": [
                {"sku": "SRV-GOLD-247", "manufacturer_no": "HPE-P24840", "model": "ProLiant DL380",
                 "serial_no": "CZLS3003"},
                {"sku": "DOC-MANUALS", "manufacturer_no": "HPE-P24840", "model": "ProLiant DL380 manual",
                 "serial_no": "MAN-LS3003"},
            ],
        },
        {
            "customer": {
                "name": "Wartung Nord GmbH",
                "email": "rechnung@wartungnord.example",
                "locale": "en",
                "external_ref": "DEMO-WN",
                "address_line": "Speicherstadt 12",
                "postal_code": "20457",
                "city": "Hamburg",
                "country": "DE",
                "tax_id": "DE287654321",
                "reverse_charge": True,
            },
            "start_date": str(start),
            "end_date": str(end),
            "billing_interval_months": 3,
            "lines": [
                {"sku": "SRV-SILVER-NBD", "manufacturer_no": "DELL-R750", "model": "PowerEdge R750",
                 "serial_no": "WN9K2L1"},
            ],
        },
    ]  # fmt: skip


def vat_examples(api: httpx.Client, today: date) -> list[str]:
    """The manuals product and the two customers with their contracts; returns the contract ids."""
    skus = {p["sku"] for p in demo.items_of(demo.ok(api.get("/api/v1/products", params={"limit": 1000})))}
    if MANUALS["sku"] not in skus:
        demo.ok(api.post("/api/v1/products", json=MANUALS))
    return [demo.customer_and_contract(api, spec, None) for spec in _specs(today)]


def payments(api: httpx.Client) -> None:
    """Nordic Freight paid part of its oldest invoice (by OCR), and a payment whose reference matches
    nothing waits in the unmatched queue; the other invoices stay unpaid and go through dunning."""
    [customer] = demo.items_of(demo.ok(api.get("/api/v1/customers", params={"q": "Nordic Freight"})))
    invoices = demo.items_of(
        demo.ok(api.get("/api/v1/invoices", params={"customer_id": customer["customer_id"], "limit": 1000}))
    )
    payable = [i for i in invoices if i["kind"] == "invoice" and i.get("ocr")]
    oldest = min(payable, key=lambda i: i["issue_date"], default=None)
    if oldest is not None:
        half = f"{Decimal(oldest['total']) / 2:.2f}"
        partial = {"payment_id": "DEMO-BG-0001", "amount": half, "currency": oldest["currency"],
                   "paid_on": oldest["due_date"], "reference": oldest["ocr"],
                   "payer": "Nordic Freight AB"}  # fmt: skip
        demo.ok(api.post("/api/v1/payments", json=partial))
    stray = {"payment_id": "DEMO-BG-0002", "amount": "4999.00", "currency": "SEK",
             "paid_on": str(date.today()), "reference": "1234567897", "payer": "Okänd betalare"}  # fmt: skip
    demo.ok(api.post("/api/v1/payments", json=stray))
