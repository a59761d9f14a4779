"""A small dashboard as reporting answers it (hand-made from the model), for the gateway's unit tests."""

from __future__ import annotations

import uuid
from typing import Any

from avtal_common.api.dashboard import Dashboard

CONTRACT, CUSTOMER = uuid.UUID(int=1), uuid.UUID(int=2)


def _forecast(start: str, end: str) -> dict[str, str]:
    return {
        "start": start,
        "end": end,
        "committed": "100.00",
        "expected": "110.00",
        "best": "120.00",
        "actual": "0.00",
    }


def dashboard_json(customer_name: str = "Acme AB") -> dict[str, Any]:
    mrr = {
        "month": "2026-11-01",
        "mrr_start": "100.00",
        "mrr": "90.00",
        "arr": "1080.00",
        "new": "0.00",
        "reactivation": "0.00",
        "expansion": "0.00",
        "contraction": "10.00",
        "churn": "0.00",
        "customers": 1,
    }
    return {
        "currency": "SEK",
        "currencies": ["EUR", "SEK"],
        "as_of": "2026-11-28",
        "version": 7,
        "mrr": [mrr],
        "retention": {
            "mrr_start": "100.00",
            "gross_mrr_churn_pct": "10.00",
            "net_mrr_churn_pct": "10.00",
            "customer_churn_pct": "0.00",
            "nrr_pct": "90.00",
            "grr_pct": "90.00",
        },
        "revenue": [
            {
                "month": "2026-11-01",
                "invoiced": "-120.00",
                "recognized": "90.00",
                "collected": "0.00",
                "deferred": "0.00",
            }
        ],
        "aging": {
            "buckets": [
                {"bucket": b, "amount": "50.00", "invoices": 1}
                for b in ("current", "1-30", "31-60", "61-90", "90+")
            ],
            "total": "250.00",
            "unapplied": "-40.00",
            "dso_days": "31.5",
        },
        "forecast": {
            "monthly": [_forecast("2026-11-01", "2026-11-30"), _forecast("2026-12-01", "2026-12-31")],
            "weekly": [_forecast("2026-11-23", "2026-11-29")],
            "doubtful": "50.00",
            "renewal_rate": None,
        },
        "renewals": {
            "windows": [{"days": d, "contracts": 1, "arr": "1080.00"} for d in (30, 60, 90)],
            "contracts": [
                {
                    "contract_id": str(CONTRACT),
                    "contract_no": "C-000001",
                    "customer_id": str(CUSTOMER),
                    "customer_name": customer_name,
                    "end_date": "2026-12-31",
                    "notice_deadline": "2026-11-30",
                    "arr": "1080.00",
                    "auto_renew": True,
                    "status": "open",
                }
            ],
        },
        "churn": [{"month": "2026-11-01", "churn": "0.00", "contraction": "10.00", "contracts_ended": 0}],
        "top_customers": [
            {
                "customer_id": str(CUSTOMER),
                "name": customer_name,
                "arr": "1080.00",
                "invoiced_12m": "1200.00",
                "open_ar": "250.00",
            }
        ],
    }


def sample_dashboard(customer_name: str = "Acme AB") -> Dashboard:
    return Dashboard.model_validate(dashboard_json(customer_name))
