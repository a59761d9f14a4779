"""Services create their topics at start, each with a dead-letter topic, as configured; an existing
topic unlike the configured layout is a warning that names the fix."""

from __future__ import annotations

import os

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from structlog.testing import capture_logs

from avtal_common import topics
from avtal_common.kafka import ensure_topics
from avtal_common.settings import CommonSettings
from avtal_testing.api import unique
from avtal_testing.stack import StackInfo


async def test_topics_exist_with_the_configured_partitions_and_replication(stack: StackInfo) -> None:
    partitions = int(os.environ.get("AVTAL_KAFKA_PARTITIONS", "3"))
    replication = int(os.environ.get("AVTAL_KAFKA_REPLICATION_FACTOR", "1"))
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
    finally:
        await admin.close()
    for name in names:
        parts = described[name]["partitions"]
        assert len(parts) == partitions, name
        assert {len(p["replicas"]) for p in parts} == {replication}, name


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
