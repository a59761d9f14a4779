"""Kafka plumbing on FastStream: broker factory per profile, topic creation and checks, reachability."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaClient, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import REGISTRY

from avtal_common.logging import get_logger
from avtal_common.settings import CommonSettings
from avtal_common.topics import ObservedTopic, TopicLayout, differences, dlq, layout_for

log = get_logger(__name__)

_TOPIC_ALREADY_EXISTS = 36  # Kafka protocol error code


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


def topic_layout(common: CommonSettings) -> TopicLayout:
    return layout_for(
        common.kafka_profile,
        common.kafka_partitions,
        common.kafka_replication_factor,
        common.kafka_min_insync_replicas,
    )


async def ensure_topics(common: CommonSettings, topics: Iterable[str]) -> dict[str, list[str]]:
    """Create the missing `topics` with the configured layout; check the existing ones against it and
    log a warning naming the fix for each that differs (returned too, by topic)."""
    layout = topic_layout(common)
    wanted = list(dict.fromkeys(topics))
    admin = AIOKafkaAdminClient(bootstrap_servers=common.bootstrap_list, client_id="avtal-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if missing:  # a topic this broker's metadata did not list yet may exist: checked like the rest
            existing |= await _create(admin, layout, missing)
        return await check_topics(admin, layout, [t for t in wanted if t in existing])
    finally:
        await admin.close()


async def _create(admin: AIOKafkaAdminClient, layout: TopicLayout, names: list[str]) -> set[str]:
    """Creates `names`; answers those that already existed (made by someone else, or not yet in the
    metadata the caller listed: a fresh topic reaches every broker of a cluster a moment later)."""
    new = [
        NewTopic(t, layout.partitions, layout.replication_factor, topic_configs=layout.configs())
        for t in names
    ]
    response = await admin.create_topics(new)
    there: set[str] = set()
    for topic, code, message in (tuple(e)[:3] for e in response.topic_errors):
        if code == _TOPIC_ALREADY_EXISTS:
            there.add(topic)
        elif code != 0:
            raise RuntimeError(
                f"cannot create topic {topic}: {message or code} (partitions {layout.partitions}, "
                f"replication factor {layout.replication_factor}, min.insync.replicas "
                f"{layout.min_insync_replicas}); set AVTAL_KAFKA_REPLICATION_FACTOR / "
                "AVTAL_KAFKA_MIN_INSYNC_REPLICAS to what the cluster can hold"
            )
    await _until_visible(admin, names)
    log.info("kafka.topics_created", topics=[t for t in names if t not in there], layout=layout.__dict__)
    return there


async def check_topics(
    admin: AIOKafkaAdminClient, layout: TopicLayout, names: list[str]
) -> dict[str, list[str]]:
    """Compare existing topics with `layout`; never a silent difference, never a reason not to start."""
    if not names:
        return {}
    try:
        seen = await _observe(admin, names)
    except Exception as exc:  # noqa: BLE001 - a check that cannot run must not stop the service
        log.warning("kafka.topic_check_failed", topics=names, error=repr(exc))
        return {}
    unreported = sorted(t.name for t in seen if t.min_insync_replicas is None)
    if unreported:
        log.info("kafka.topic_min_isr_unreported", topics=unreported)
    found = {t.name: diffs for t in seen if (diffs := differences(layout, t))}
    for topic, diffs in found.items():
        log.warning("kafka.topic_layout_differs", topic=topic, differences=diffs)
    return found


async def _observe(admin: AIOKafkaAdminClient, names: list[str]) -> list[ObservedTopic]:
    described = await admin.describe_topics(names)
    isr = await _min_isr(admin, names)
    return [
        ObservedTopic(
            t["topic"],
            len(t["partitions"]),
            min((len(p["replicas"]) for p in t["partitions"]), default=0),
            isr.get(t["topic"]),
        )
        for t in described
    ]


async def _min_isr(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, int]:
    """min.insync.replicas by topic, as far as the broker reports it (Apache Kafka: always, defaults
    included; Tansu: only for topics created with it)."""
    responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, t) for t in names])
    out: dict[str, int] = {}
    for response in responses:
        for code, _msg, _type, name, entries, *_ in response.resources:
            values = {e[0]: e[1] for e in entries} if code == 0 else {}
            if values.get("min.insync.replicas"):
                out[name] = int(values["min.insync.replicas"])
    return out


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
