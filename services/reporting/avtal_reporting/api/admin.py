"""Reporting internal HTTP API: rebuild the read models from the topics (`avtal reporting rebuild`)."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, get, post
from pydantic import BaseModel

from avtal_common.errors import Conflict
from avtal_reporting.consumers import HANDLERS
from avtal_reporting.rebuild import RebuildProgress, rebuild


class RebuildOut(BaseModel):
    running: bool
    refused: str | None
    total: int
    read: int
    applied: int
    duplicates: int
    skipped: int
    seconds: float
    events_per_s: float
    errors: list[str]


def _out(p: RebuildProgress) -> RebuildOut:
    return RebuildOut(
        running=p.running,
        refused=p.refused,
        total=max(p.total, p.read),
        read=p.read,
        applied=p.applied,
        duplicates=p.duplicates,
        skipped=p.skipped,
        seconds=round(p.seconds, 3),
        events_per_s=round(p.events_per_s, 1),
        errors=p.errors,
    )


class AdminController(Controller):
    path = "/admin/rebuild"

    @post("/", status_code=202)
    async def start(self, runtime: Any, force: bool = False) -> RebuildOut:
        """Start a rebuild in the background; 409 while one runs in this process. Unless `force`, it stops
        before changing anything when the topics hold less than the read models (see `refused`)."""
        current: RebuildProgress | None = runtime.state.get("rebuild")
        if current is not None and current.running:
            raise Conflict("a rebuild is running already: follow its progress")
        progress = RebuildProgress(running=True)
        runtime.state["rebuild"] = progress
        task = asyncio.create_task(rebuild(runtime.uow(), runtime.common, HANDLERS, progress, force=force))
        runtime.state["rebuild_task"] = task  # kept: a task nobody holds may be collected mid-way
        task.add_done_callback(lambda t: t.exception() if not t.cancelled() else None)
        return _out(progress)

    @get("/")
    async def status(self, runtime: Any) -> RebuildOut:
        current: RebuildProgress | None = runtime.state.get("rebuild")
        return _out(current or RebuildProgress())
