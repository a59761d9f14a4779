"""Dead letters: an event no retry can fix goes to `<topic>.dlq` with its reason and origin."""

from __future__ import annotations

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker
from pydantic import ValidationError

from avtal_common import metrics
from avtal_common.logging import get_logger
from avtal_common.topics import dlq

log = get_logger(__name__)


async def publish(broker: KafkaBroker, group: str, record: ConsumerRecord, reason: str) -> None:
    """The original value, key and headers, plus `dlq.*` headers saying why and where from."""
    headers = {k: (v or b"").decode(errors="replace") for k, v in (record.headers or ())}
    headers.update(
        {
            "dlq.reason": reason[:2000],
            "dlq.original_topic": record.topic,
            "dlq.original_partition": str(record.partition),
            "dlq.original_offset": str(record.offset),
            "dlq.group": group,
        }
    )
    await broker.publish(record.value or b"", dlq(record.topic), key=record.key, headers=headers)
    metrics.EVENTS_HANDLED.labels(group, record.topic, "dead_lettered").inc()
    metrics.CONSUMER_DEAD_LETTERS.labels(group, record.topic).inc()
    log.error(
        "consumer.dead_lettered",
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        reason=reason[:500],
    )


def summary(exc: ValidationError) -> str:
    """The first few schema errors, field by field, for a person reading the dead letter."""
    errs = exc.errors()[:5]
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in errs)
