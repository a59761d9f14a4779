"""Contracts background loops: the bulk job worker (safe with replicas: batches are claimed SKIP LOCKED)."""

from __future__ import annotations

import asyncio

from avtal_common.loops import drain_forever
from avtal_common.runtime import Runtime
from avtal_contracts.handlers.bulk_runs import work_once
from avtal_contracts.settings import ContractsSettings
from avtal_contracts.store.uow import ContractsUnitOfWork


def _unit(rt: Runtime) -> ContractsUnitOfWork:
    uow = rt.uow()
    assert isinstance(uow, ContractsUnitOfWork)
    return uow


async def bulk_worker(rt: Runtime) -> None:
    """Apply queued bulk jobs for the life of the process: `bulk_workers` loops, each taking one batch of
    each open job at a time (they claim apart, like replicas do)."""
    assert isinstance(rt.settings, ContractsSettings)
    size, idle = rt.settings.bulk_batch_size, rt.settings.bulk_poll_s
    loops = [
        drain_forever(lambda: work_once(lambda: _unit(rt), size), "contracts.bulk", idle_s=idle)
        for _ in range(rt.settings.bulk_workers)
    ]
    await asyncio.gather(*loops)
