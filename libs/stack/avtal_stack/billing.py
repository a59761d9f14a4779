"""`avtal billing run [--as-of D] [--key K] [--per customer|contract]`: start a billing run on the running
stack, show its progress (invoices made) until it finishes, then its totals and failures."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any
from urllib.parse import quote

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from avtal_stack.calendar import service_client
from avtal_stack.config import StackSettings


def run(as_of: str | None, key: str | None, per: str | None, settings: StackSettings) -> int:
    """Exit status 0 when every due period was invoiced, 1 when some failed (listed), 2 when refused."""
    out = Console()
    key = key or f"cli:{as_of or 'today'}:{uuid.uuid4().hex[:8]}"
    body = {k: v for k, v in {"as_of": as_of, "run_key": key, "invoice_per": per}.items() if v}
    answer: dict[str, Any] = {}
    with service_client("billing", settings) as billing:
        worker = threading.Thread(target=lambda: answer.update(r=billing.post("/billing-runs/", json=body)))
        worker.start()
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=out
        ) as bar:
            task = bar.add_task(f"billing run {key}", total=None)
            while worker.is_alive():
                r = billing.get(f"/billing-runs/{quote(key, safe='')}")
                if r.status_code == 200:
                    bar.update(
                        task, description=f"billing run {key}: {r.json()['invoices_created']} invoices"
                    )
                time.sleep(0.5)
        worker.join()
    r = answer["r"]
    if r.status_code >= 400:
        out.print(f"refused ({r.status_code}): {r.json().get('detail') or r.text}")
        return 2
    result = r.json()
    totals = (
        ", ".join(f"{t['invoices']} invoices {t['total']} {t['currency']}" for t in result["totals"])
        or "nothing"
    )
    out.print(f"billing run {result['run_key']} to {result['as_of']}: {totals}; {result['failed']} failed")
    for f in result["failures"]:
        out.print(f"  FAILED contract {f['contract_id']} period {f['period_start']}: {f['reason']}")
    return 1 if result["failed"] else 0
