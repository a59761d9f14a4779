"""Services create their topics at start, each with a dead-letter topic, as configured; an existing
topic unlike the configured layout is a warning that names the fix."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from structlog.testing import capture_logs

from avtal_common import topics
from avtal_common.kafka import ensure_topics, topic_layout
from avtal_common.settings import CommonSettings
from avtal_testing.api import unique
from avtal_testing.stack import StackInfo


async def test_topics_exist_with_the_configured_partitions_replication_and_min_isr(stack: StackInfo) -> None:
    # The services read the same environment; unset values follow the profile (3 replicas, min ISR 2
    # on Apache Kafka; 1 and 1 on Tansu), as the unit tests of layout_for pin down.
    want = topic_layout(CommonSettings(kafka_profile=stack.kafka_profile))
    names = [
        topics.CONTRACT_CREATED,
        topics.dlq(topics.CONTRACT_CREATED),
        topics.INVOICE_GENERATED,
        topics.dlq(topics.INVOICE_GENERATED),
        topics.CATALOG_PRODUCT_UPSERTED,
    ]
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap_servers)
    await admin.start()
    try:
        described = {t["topic"]: t for t in await admin.describe_topics(names)}
        min_isr = _min_isr(
            await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, n) for n in names])
        )
    finally:
        await admin.close()
    for name in names:
        parts = described[name]["partitions"]
        assert len(parts) == want.partitions, name
        assert {len(p["replicas"]) for p in parts} == {want.replication_factor}, name
        assert min_isr[name] == str(want.min_insync_replicas), name


def _min_isr(responses: list) -> dict[str, str]:
    return {
        name: dict(e[:2] for e in entries).get("min.insync.replicas", "unreported")
        for r in responses
        for _code, _msg, _type, name, entries, *_ in r.resources
    }


async def test_an_existing_topic_unlike_the_layout_is_a_warning_naming_the_fix(stack: StackInfo) -> None:
    odd, plain = unique("layout.odd"), unique("layout.plain")
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap_servers)
    await admin.start()
    try:  # as someone may have made them by hand: one partition, and a min ISR no write can meet
        await admin.create_topics(
            [NewTopic(odd, 1, 1, topic_configs={"min.insync.replicas": "2"}), NewTopic(plain, 1, 1)]
        )
    finally:
        await admin.close()
    common = CommonSettings(
        kafka_bootstrap_servers=stack.kafka_bootstrap_servers, kafka_profile="local", kafka_partitions=3
    )

    with capture_logs() as logs:
        found = await ensure_topics(common, [odd, plain])

    assert any(f"kafka-topics.sh --alter --topic {odd} --partitions 3" in d for d in found[odd])
    assert any("min.insync.replicas 2 > 1 replicas (no write can succeed)" in d for d in found[odd])
    assert any(d.startswith("1 partitions, 3 wanted") for d in found[plain])
    warnings = [e for e in logs if e["event"] == "kafka.topic_layout_differs" and e["log_level"] == "warning"]
    assert {e["topic"]: e["differences"] for e in warnings} == found
