"""The staff dashboard: its data from reporting, its CSV exports, and the version stream a page listens to."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from litestar.plugins.problem_details import ProblemDetailsException
from litestar.response.sse import ServerSentEventMessage

from avtal_common.api.dashboard import Dashboard, DashboardVersion
from avtal_common.logging import get_logger
from avtal_gateway.adapters.services import Services
from avtal_gateway.domain.dashboard import DashboardFilters
from avtal_gateway.domain.dashboard_csv import widget_csv
from avtal_gateway.handlers.views import parse

log = get_logger(__name__)
RETRY_MS = 1000


async def dashboard(svc: Services, filters: DashboardFilters) -> Dashboard:
    raw = await svc.json("reporting", "GET", "/dashboard", params=filters.params())
    found: Dashboard = parse("reporting", Dashboard, raw)
    return found


async def version(svc: Services) -> DashboardVersion:
    found: DashboardVersion = parse(
        "reporting", DashboardVersion, await svc.json("reporting", "GET", "/dashboard/version")
    )
    return found


async def export(svc: Services, filters: DashboardFilters, widget: str) -> tuple[str, str]:
    """(file name, CSV text) of one widget with the page's filters."""
    d = await dashboard(svc, filters)
    return f"dashboard-{widget}-{d.currency}-{d.as_of}.csv", widget_csv(d, widget)


async def version_or_none(svc: Services) -> DashboardVersion | None:
    """The stream keeps going while reporting is away (it says so once), so the page recovers by itself."""
    try:
        return await version(svc)
    except ProblemDetailsException as exc:
        log.info("gateway.dashboard_version_unavailable", status=exc.status_code)
        return None


async def version_events(
    read: Callable[[], Awaitable[DashboardVersion | None]],
    stopping: Callable[[], bool],
    poll_s: float = 0.3,
    heartbeat_s: float = 15.0,
    max_s: float = 300.0,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncIterator[ServerSentEventMessage]:
    """One `version` event at once and whenever the version, lag or rebuilding flag changes (an
    `unavailable` event while reporting cannot be reached); a comment after `heartbeat_s` of quiet keeps
    proxies from closing the connection. Ends when the process is stopping, and after `max_s`: the
    browser reconnects by itself, and its session is checked again (a signed-out user's stream does not
    run on). A client that goes away cancels it (Litestar's stream listens for the disconnect)."""
    last: object = object()
    quiet_since = ends = clock()
    ends += max_s
    while not stopping() and clock() < ends:
        now = await read()
        if now != last:
            last, quiet_since = now, clock()
            yield _event(now)
        elif clock() - quiet_since >= heartbeat_s:
            quiet_since = clock()
            yield ServerSentEventMessage(data=None, comment="heartbeat")
        await asyncio.sleep(poll_s)


def _event(now: DashboardVersion | None) -> ServerSentEventMessage:
    # `retry`: reconnect after a second when the stream ends (a stop, `max_s`), not the browser's default.
    if now is None:
        return ServerSentEventMessage(event="unavailable", data="{}", retry=RETRY_MS)
    return ServerSentEventMessage(event="version", data=json.dumps(now.model_dump()), retry=RETRY_MS)
