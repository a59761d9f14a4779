"""Background work loops that outlive any single failure."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

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
