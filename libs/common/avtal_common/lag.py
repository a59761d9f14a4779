"""Consumer lag per partition: end offset minus committed offset (works before the first fetch)."""

from __future__ import annotations

import asyncio

from avtal_common import metrics
from avtal_common.consumer import EventConsumer
from avtal_common.logging import get_logger

log = get_logger(__name__)


async def collect_consumer_lag(consumer: EventConsumer, interval_s: float = 5.0) -> None:
    while True:
        await asyncio.sleep(interval_s)
        kafka = getattr(consumer.subscriber, "consumer", None)
        if kafka is None:
            continue
        try:
            partitions = list(kafka.assignment())
            if not partitions:
                continue
            ends = await kafka.end_offsets(partitions)
            for tp in partitions:
                committed = await kafka.committed(tp)
                lag = max(ends[tp] - (committed or 0), 0)
                metrics.CONSUMER_LAG.labels(consumer.group_id, tp.topic, str(tp.partition)).set(lag)
        except Exception as exc:  # noqa: BLE001 - a metric must never take the service down
            log.debug("lag.unavailable", error=repr(exc))
