"""`avtal reporting rebuild`: empty reporting's read models and refill them from the start of the topics,
with a progress bar, on the running stack (the service keeps consuming meanwhile)."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from avtal_stack.calendar import service_client
from avtal_stack.config import StackSettings


def rebuild(settings: StackSettings, force: bool = False) -> int:
    """Exit status 0 when every event was applied, 1 when some were skipped (listed), 2 when refused (one
    runs already, or the topics hold less than the read models and `force` is not given)."""
    out = Console()
    with service_client("reporting", settings) as reporting:
        r = reporting.post("/admin/rebuild/", params={"force": "true"} if force else None)
        if r.status_code >= 400:
            out.print(f"refused ({r.status_code}): {r.json().get('detail') or r.text}")
            return 2
        with Progress(
            TextColumn("rebuilding reporting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=out,
        ) as bar:
            task = bar.add_task("events", total=None)
            while True:
                time.sleep(0.3)
                state = reporting.get("/admin/rebuild/").json()
                bar.update(task, total=state["total"] or None, completed=state["read"])
                if not state["running"]:
                    break
    if state.get("refused"):
        out.print(f"refused: {state['refused']}")
        return 2
    out.print(
        f"rebuilt from {state['read']} events in {state['seconds']} s ({state['events_per_s']}/s): "
        f"{state['applied']} applied, {state['duplicates']} already applied live, {state['skipped']} skipped"
    )
    for e in state["errors"]:
        out.print(f"  SKIPPED {e}")
    return 1 if state["skipped"] else 0
