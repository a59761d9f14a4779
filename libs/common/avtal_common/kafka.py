"""Kafka plumbing on FastStream: broker factory per profile, topic creation, reachability probe."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaClient, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import REGISTRY

from avtal_common.logging import get_logger
from avtal_common.settings import CommonSettings
from avtal_common.topics import dlq

log = get_logger(__name__)


def make_broker(common: CommonSettings, client_id: str) -> KafkaBroker:
    """acks=all always; idempotent producer only on Apache Kafka (Tansu rejects InitProducerId)."""
    return KafkaBroker(
        common.bootstrap_list,
        client_id=client_id,
        acks="all",
        enable_idempotence=common.kafka_profile == "kafka",
        linger_ms=2,
        allow_auto_create_topics=False,
        # A safety net for topics created while a consumer was already subscribed (default 5 min).
        metadata_max_age_ms=30_000,
        graceful_timeout=common.kafka_graceful_timeout_s,
        middlewares=[KafkaPrometheusMiddleware(registry=REGISTRY, app_name=client_id)],
        # Per-message logs at DEBUG; FastStream logs through the root (structlog) handler.
        logger=logging.getLogger("avtal.faststream"),
        log_level=logging.DEBUG,
    )


def make_relay_producer(common: CommonSettings, client_id: str) -> AIOKafkaProducer:
    """The outbox relay's own producer: same guarantees as the broker's, none of its per-call overhead."""
    return AIOKafkaProducer(
        bootstrap_servers=common.bootstrap_list,
        client_id=client_id,
        acks="all",
        enable_idempotence=common.kafka_profile == "kafka",
        linger_ms=2,
    )


class ProducerPublisher:
    """Adapts an aiokafka producer to the relay's `Publisher` port."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    async def send(
        self, message: bytes, topic: str, *, key: bytes, headers: dict[str, str]
    ) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = await self._producer.send(
            topic, message, key=key, headers=[(k, v.encode()) for k, v in headers.items()]
        )
        return future


def with_dead_letters(topics: Iterable[str]) -> list[str]:
    out: list[str] = []
    for t in topics:
        out += [t, dlq(t)]
    return sorted(set(out))


async def ensure_topics(common: CommonSettings, topics: Iterable[str]) -> None:
    """Create `topics` with the configured partitions and replication; existing ones are kept."""
    admin = AIOKafkaAdminClient(bootstrap_servers=common.bootstrap_list, client_id="avtal-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if not missing:
            return
        new = [NewTopic(t, common.kafka_partitions, common.kafka_replication_factor) for t in missing]
        with contextlib.suppress(TopicAlreadyExistsError):  # another process created them first
            await admin.create_topics(new)
        await _until_visible(admin, missing)
        log.info("kafka.topics_created", topics=missing)
    finally:
        await admin.close()


async def _until_visible(admin: AIOKafkaAdminClient, names: list[str], timeout_s: float = 30.0) -> None:
    """Wait until every partition of the new topics has a leader. A consumer that subscribes before
    that sees no partitions and would only notice them at its next metadata refresh."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        described = await admin.describe_topics(names)
        if all(
            t["error_code"] == 0 and t["partitions"] and all(p["leader"] >= 0 for p in t["partitions"])
            for t in described
        ):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"topics not ready after {timeout_s:.0f}s: {names}")
        await asyncio.sleep(0.2)


async def kafka_reachable(common: CommonSettings, timeout_s: float = 3.0) -> bool:
    """A real protocol round trip (metadata request), not just a TCP connect."""
    client = AIOKafkaClient(bootstrap_servers=common.bootstrap_list, request_timeout_ms=int(timeout_s * 1000))
    try:
        await asyncio.wait_for(client.bootstrap(), timeout_s)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False
    finally:
        await client.close()
