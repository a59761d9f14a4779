"""Consumer lag per assigned partition: end offset minus committed offset (works before the first fetch)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from avtal_common import metrics
from avtal_common.consumer import EventConsumer
from avtal_common.logging import get_logger

log = get_logger(__name__)


async def collect_consumer_lag(consumer: EventConsumer, interval_s: float = 5.0) -> None:
    shown: set[Any] = set()  # partitions with a gauge, so a revoked one's gauge goes away
    while True:
        await asyncio.sleep(interval_s)
        kafka = getattr(consumer.subscriber, "consumer", None)
        if kafka is None:
            continue
        try:
            shown = await update_lag_gauges(consumer.group_id, kafka, shown)
        except Exception as exc:  # noqa: BLE001 - a metric must never take the service down
            log.debug("lag.unavailable", error=repr(exc))


async def update_lag_gauges(group: str, kafka: Any, shown: set[Any]) -> set[Any]:
    partitions = set(kafka.assignment())
    for tp in shown - partitions:
        with contextlib.suppress(KeyError):  # already gone if a previous pass failed half-way
            metrics.CONSUMER_LAG.remove(group, tp.topic, str(tp.partition))
    if partitions:
        for tp, lag in (await partition_lags(kafka, list(partitions))).items():
            metrics.CONSUMER_LAG.labels(group, tp.topic, str(tp.partition)).set(lag)
    return partitions


async def partition_lags(kafka: Any, partitions: list[Any]) -> dict[Any, int]:
    """Lag of each partition. Nothing committed yet (None) is not offset 0: the group will start at
    the log's beginning (auto_offset_reset=earliest), which may have been truncated by retention."""
    ends = await kafka.end_offsets(partitions)
    starts = await kafka.beginning_offsets(partitions)
    lags = {}
    for tp in partitions:
        committed = await kafka.committed(tp)
        position = starts[tp] if committed is None else committed
        lags[tp] = max(ends[tp] - position, 0)
    return lags
