"""Services create their topics at start, each with a dead-letter topic, as configured."""

from __future__ import annotations

import os

from aiokafka.admin import AIOKafkaAdminClient

from avtal_common import topics
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
