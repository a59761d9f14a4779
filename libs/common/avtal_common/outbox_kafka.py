"""The relay's Kafka producer: started on first use, replaced after a fatal error or a missed deadline,
and able to tell an unknown topic (the row's fault) from an unreachable broker (nobody's)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAuthorizationFailedError

from avtal_common.logging import get_logger
from avtal_common.outbox_publish import UnknownTopicError
from avtal_common.settings import CommonSettings

log = get_logger(__name__)


class KafkaRelayPublisher:
    """The relay's `Publisher` on aiokafka (acks=all; idempotent on Apache Kafka)."""

    def __init__(self, common: CommonSettings, client_id: str, timeout_s: float = 10.0) -> None:
        self._common, self._client_id, self._timeout = common, client_id, timeout_s
        self._producer: AIOKafkaProducer | None = None

    async def send(
        self, message: bytes, topic: str, *, key: bytes, headers: dict[str, str]
    ) -> asyncio.Future[Any]:
        producer = await self._started()
        if producer.client.cluster.partitions_for_topic(topic) is None:
            await self._require_topic(producer, topic)
        future: asyncio.Future[Any] = await producer.send(
            topic, message, key=key, headers=[(k, v.encode()) for k, v in headers.items()]
        )
        return future

    async def start(self) -> None:
        """Connect now rather than on the first send (optional)."""
        await self._started()

    async def reset(self) -> None:
        """Drop the producer and everything queued in it; the next send starts a new one."""
        producer, self._producer = self._producer, None
        if producer is not None:
            log.info("outbox.producer_replaced", client_id=self._client_id)
            await abort_producer(producer)

    async def close(self) -> None:
        """Stop, delivering what is queued if the broker answers within the timeout."""
        producer, self._producer = self._producer, None
        if producer is None:
            return
        try:
            await asyncio.wait_for(producer.stop(), self._timeout)
        except Exception:  # noqa: BLE001 - shutting down: whatever is left stays unsent in the outbox
            await abort_producer(producer)

    async def _started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._new_producer()
            try:
                await asyncio.wait_for(producer.start(), self._timeout)
            except BaseException:
                await abort_producer(producer)
                raise
            self._producer = producer
        return self._producer

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self._common.bootstrap_list,
            client_id=self._client_id,
            acks="all",
            enable_idempotence=self._common.kafka_profile == "kafka",
            linger_ms=2,
            request_timeout_ms=int(self._timeout * 1000),
        )

    async def _require_topic(self, producer: AIOKafkaProducer, topic: str) -> None:
        """Ask the broker once: no answer is an outage (retry), an answer without the topic is the
        row's fault (quarantine). aiokafka alone would wait its whole request timeout either way."""
        client = producer.client
        client.add_topic(topic)
        if not await client.force_metadata_update():
            raise KafkaConnectionError("no metadata answer: the broker is unreachable")
        if topic in client.cluster.unauthorized_topics:
            raise TopicAuthorizationFailedError(topic)
        if client.cluster.partitions_for_topic(topic) is None:
            raise UnknownTopicError(f"the broker has no topic {topic!r}")


async def abort_producer(producer: AIOKafkaProducer) -> None:
    """Close a producer without sending what it still holds. aiokafka has no abort: its stop() flushes
    (forever, if the idempotent producer never gets its acks), and a batch sent late would land behind
    the retry of the same rows. So: stop its sender task, fail the queued batches, then close."""
    sender = getattr(producer, "_sender", None)
    task = getattr(sender, "sender_task", None)
    if task is not None and not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=2)
    accumulator = getattr(producer, "_message_accumulator", None)
    if accumulator is not None:
        batches = [b for queue in accumulator._batches.values() for b in queue]
        batches += list(accumulator._pending_batches)
        accumulator.fail_all(KafkaError("relay producer aborted"))
        for batch in batches:
            _retrieve_failures(batch)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(producer.stop(), 5)


def _retrieve_failures(batch: Any) -> None:
    """Read the failures `fail_all` left on a batch: its drain waiter was for the cancelled sender task
    and its messages' futures may have been given up by the relay, so nobody else ever reads them
    (asyncio would log "Future exception was never retrieved" for each)."""
    futures = [getattr(batch, "_drain_waiter", None), *(f for f, _ in getattr(batch, "_msg_futures", ()))]
    for future in futures:
        if future is not None and future.done() and not future.cancelled():
            future.exception()
