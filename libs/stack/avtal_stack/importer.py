"""`avtal import products|prices|customers|items|contracts FILE`: upload a CSV to the import API of the
service that owns the kind (the catalog or contracts) and follow the job."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from avtal_stack.config import StackSettings

POLL_S = 0.3
console = Console(stderr=True)


OWNER = {"products": "catalog", "prices": "catalog", "customers": "contracts", "items": "contracts"}


def service_client(settings: StackSettings, service: str = "catalog") -> httpx.Client:
    """The running stack's `service` (its stack.json), or AVTAL_<SERVICE>_URL with AVTAL_SERVICE_TOKEN."""
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
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def run(kind: str, file: Path, options: dict[str, Any], settings: StackSettings) -> int:
    """Exit status 0 when the import committed (or a dry run found no error), 1 otherwise."""
    data = file.read_bytes()
    params = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in options.items() if v is not None}
    with service_client(settings, OWNER.get(kind, "contracts")) as client:
        r = client.post("/imports/", params={"kind": kind, "file_name": file.name, **params}, content=data)
        if r.status_code >= 400:
            body = r.json() if r.headers.get("content-type", "").endswith("json") else {}
            raise SystemExit(
                f"refused ({r.status_code}): {body.get('detail') or body.get('title') or r.text}"
            )
        job = _follow(client, r.json())
    return _print_report(job)


def _follow(client: httpx.Client, job: dict[str, Any]) -> dict[str, Any]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}% {task.fields[rows]} rows"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(f"{job['kind']} ← {job['file_name']}", total=job["size_bytes"] or 1, rows=0)
        while job["status"] in ("queued", "running"):
            time.sleep(POLL_S)
            job = client.get(f"/imports/{job['job_id']}").raise_for_status().json()
            bar.update(task, completed=job["bytes_done"], rows=job["rows_done"])
        bar.update(task, completed=job["size_bytes"] or 1, rows=job["rows_done"])
    return job


def _print_report(job: dict[str, Any]) -> int:
    report, out = job.get("report") or {}, Console(soft_wrap=True, markup=False, highlight=False)
    if job.get("error"):
        out.print(f"the import failed: {job['error']}")
        return 1
    if report.get("fatal"):
        out.print(f"nothing imported: {report['fatal']}")
        return 1
    for e in report["errors"][:50]:
        out.print(f"row {e['row']}{' · ' + e['column'] if e.get('column') else ''}: {e['reason']}")
    if report["rows_invalid"] > 50:
        out.print(f"… and {report['rows_invalid'] - 50} more rows with errors")
    verb = "would be" if not report["committed"] else "were"
    out.print(
        f"{report['rows_read']} rows read, {report['rows_invalid']} with errors; {report['inserted']} new, "
        f"{report['updated']} changed, {report['unchanged']} unchanged {verb} imported"
        + ("" if report["committed"] else " (nothing committed)")
    )
    if job["options"]["dry_run"]:
        return 0 if report["rows_invalid"] == 0 else 1
    return 0 if report["committed"] else 1
