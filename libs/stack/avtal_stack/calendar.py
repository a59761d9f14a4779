"""`avtal contracts calendar --today YYYY-MM-DD`: run the contracts calendar for a day, print the report."""

from __future__ import annotations

import json
import os

import httpx

from avtal_stack.config import StackSettings


def service_client(service: str, settings: StackSettings) -> httpx.Client:
    """The running stack's `service` (stack.json), or AVTAL_<SERVICE>_URL + AVTAL_SERVICE_TOKEN."""
    env = f"AVTAL_{service.upper()}_URL"
    url, token = os.environ.get(env), os.environ.get("AVTAL_SERVICE_TOKEN")
    state_file = settings.home / "stack.json"
    if (url is None or token is None) and state_file.exists():
        state = json.loads(state_file.read_text())
        url, token = url or state["services"][service], token or state["service_token"]
    if url is None or token is None:
        raise SystemExit(
            f"no running stack found ({state_file} is missing): start one with `avtal up`, or set "
            f"{env} and AVTAL_SERVICE_TOKEN to reach a {service} service elsewhere"
        )
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=3600)


def contracts_client(settings: StackSettings) -> httpx.Client:
    return service_client("contracts", settings)


def run(today: str | None, customer_id: str | None, settings: StackSettings) -> int:
    """Exit status 0 when no contract failed (renewals waiting for an index value are not failures)."""
    params = {k: v for k, v in {"today": today, "customer_id": customer_id}.items() if v}
    with contracts_client(settings) as contracts:
        r = contracts.post("/calendar/run", params=params)
    if r.status_code >= 400:
        body = r.json() if r.headers.get("content-type", "").endswith("json") else {}
        raise SystemExit(f"refused ({r.status_code}): {body.get('detail') or body.get('title') or r.text}")
    report = r.json()
    moved = ", ".join(f"{n} {status}" for status, n in report["moved"].items()) or "none"
    print(f"calendar {report['today']}: {report['due']} due; moved {moved}; {report['reminders']} reminders")
    for line in report["renewed"]:
        print(f"  renewed {line}")
    for w in report["waiting"]:
        print(f"  waiting {w['contract_id']}: {w['reason']}")
    for f in report["failed"]:
        print(f"  FAILED {f['contract_id']}: {f['reason']}")
    return 1 if report["failed"] else 0
