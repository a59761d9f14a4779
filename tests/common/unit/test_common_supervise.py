"""A supervised background loop that crashes is started again, and every restart is counted."""

from __future__ import annotations

import asyncio
import uuid

from prometheus_client import REGISTRY

from avtal_common.loops import supervise


async def test_a_crashing_loop_is_restarted_and_each_restart_is_counted() -> None:
    name, runs = f"t-{uuid.uuid4().hex[:6]}", []
    running = asyncio.Event()

    async def flaky() -> None:
        runs.append(1)
        if len(runs) <= 2:
            raise RuntimeError("a bug in the loop")
        running.set()
        await asyncio.sleep(3600)

    task = asyncio.create_task(supervise(name, flaky, first_backoff_s=0.01))
    try:
        await asyncio.wait_for(running.wait(), 5)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert len(runs) == 3
    assert REGISTRY.get_sample_value("avtal_background_restarts_total", {"task": name}) == 2


async def test_a_loop_that_returns_is_started_again() -> None:
    name, runs = f"t-{uuid.uuid4().hex[:6]}", []

    async def quits() -> None:
        runs.append(1)

    task = asyncio.create_task(supervise(name, quits, first_backoff_s=0.01, max_backoff_s=0.01))
    while len(runs) < 3:
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert REGISTRY.get_sample_value("avtal_background_restarts_total", {"task": name}) >= 2
