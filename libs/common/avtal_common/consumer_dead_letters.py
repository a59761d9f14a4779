"""Dead letters: an event no retry can fix goes to `<topic>.dlq` with its reason and origin."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker
from pydantic import ValidationError

from avtal_common import metrics
from avtal_common.consumer_errors import Fault, classify
from avtal_common.logging import get_logger
from avtal_common.topics import dlq

log = get_logger(__name__)


async def publish(broker: KafkaBroker, group: str, record: ConsumerRecord, reason: str) -> None:
    """The original value, key and headers, plus `dlq.*` headers saying why and where from."""
    await broker.publish(
        record.value or b"", dlq(record.topic), key=record.key, headers=_headers(group, record, reason)
    )
    _sent(group, record, reason)


class PendingDeadLetters:
    """Dead letters of one pass, sent at once and acknowledged together (a poison flood would otherwise
    wait for one broker round trip each) before the pass's offsets may be committed."""

    def __init__(self, broker: KafkaBroker, group: str) -> None:
        self._broker, self._group = broker, group
        self._sent: list[tuple[ConsumerRecord, str, str, asyncio.Future[Any]]] = []

    async def send(self, record: ConsumerRecord, reason: str, handler: str) -> None:
        headers = _headers(self._group, record, reason)
        try:
            ack = await self._broker.publish(
                record.value or b"", dlq(record.topic), key=record.key, headers=headers, no_confirm=True
            )
        except Exception as exc:
            if classify(exc) is Fault.INFRASTRUCTURE:
                raise
            ack = asyncio.get_running_loop().create_future()  # refused on sending (too large): the same
            ack.set_exception(exc)  # as refused on acknowledging
        future = asyncio.ensure_future(ack)
        future.add_done_callback(_retrieve)  # a pass abandoned by an outage never awaits it
        self._sent.append((record, reason, handler, future))

    async def acknowledged(self) -> list[tuple[ConsumerRecord, str, str, BaseException]]:
        """Wait for every ack; raises an outage (the pass is retried), returns the dead letters that the
        broker refused for good (too large, not authorised): record, reason, handler, refusal."""
        sent, self._sent = self._sent, []
        results = await asyncio.gather(*(ack for *_, ack in sent), return_exceptions=True)
        refused = []
        for (record, reason, handler, _), result in zip(sent, results, strict=True):
            if not isinstance(result, BaseException):
                _sent(self._group, record, reason)
            elif classify(result) is Fault.INFRASTRUCTURE:
                raise result
            else:
                refused.append((record, reason, handler, result))
        return refused

    def __len__(self) -> int:
        return len(self._sent)


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _headers(group: str, record: ConsumerRecord, reason: str) -> dict[str, str]:
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
    return headers


def _sent(group: str, record: ConsumerRecord, reason: str) -> None:
    metrics.EVENTS_HANDLED.labels(group, record.topic, "dead_lettered").inc()
    metrics.CONSUMER_DEAD_LETTERS.labels(group, record.topic).inc()
    cid = dict(record.headers or ()).get("x-correlation-id")  # logged after the pass: not the current one
    log.error(
        "consumer.dead_lettered",
        **({"correlation_id": cid.decode(errors="replace")} if cid else {}),
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        reason=reason[:500],
    )


def summary(exc: ValidationError) -> str:
    """The first few schema errors, field by field, for a person reading the dead letter."""
    errs = exc.errors()[:5]
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in errs)
