"""Demo data of billing: a product at another VAT rate, an invoice with two rates, and an EU business
customer billed with reverse charge (issue 9)."""

from __future__ import annotations

from datetime import date, timedelta
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
