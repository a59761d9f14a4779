"""Background work loops that outlive any single failure."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from avtal_common import metrics
from avtal_common.logging import get_logger

log = get_logger(__name__)


async def drain_forever(work: Callable[[], Awaitable[int]], name: str, idle_s: float = 0.5) -> None:
    """Call `work` again at once while it finds something to do; otherwise wait `idle_s`.
    A failure is logged and retried on the next pass (work is transactional, so nothing half-done stays)."""
    while True:
        try:
            done = await work()
        except Exception as exc:  # noqa: BLE001 - the loop must go on
            log.warning(f"{name}.failed", error=repr(exc))
            done = 0
        if not done:
            await asyncio.sleep(idle_s)


async def supervise(
    name: str, loop: Callable[[], Awaitable[None]], first_backoff_s: float = 0.5, max_backoff_s: float = 10.0
) -> None:
    """Run `loop()` for the life of the process: when it crashes (or returns), count it, log it and start
    it again after a backoff, so one bug cannot silently switch off the relay or a worker."""
    backoff = first_backoff_s
    while True:
        started = asyncio.get_running_loop().time()
        try:
            await loop()
            log.error("background.returned", task=name)
        except Exception as exc:  # restarted below; the log has the cause
            log.exception("background.crashed", task=name, error=repr(exc))
        metrics.BACKGROUND_RESTARTS.labels(name).inc()
        if asyncio.get_running_loop().time() - started > 60:
            backoff = first_backoff_s  # it ran for a while: a fresh failure, not a crash loop
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, max_backoff_s)
