"""Raw Kafka access for tests: publish what another system would, read what a topic holds."""

from __future__ import annotations

import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord


async def publish(
    bootstrap: str, topic: str, value: bytes, key: bytes | None = None, headers: dict[str, str] | None = None
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, value, key=key, headers=[(k, v.encode()) for k, v in (headers or {}).items()]
        )
    finally:
        await producer.stop()


async def read_all(bootstrap: str, topic: str, idle_ms: int = 1500) -> list[ConsumerRecord]:
    """Every record on `topic` from the beginning (no group, so nothing is committed)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id=f"test-{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        from aiokafka import TopicPartition

        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        out: list[ConsumerRecord] = []
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(timeout_ms=idle_ms)
            if not batch:
                break
            for records in batch.values():
                out.extend(records)
        return out
    finally:
        await consumer.stop()


def header(record: ConsumerRecord, name: str) -> str | None:
    for k, v in record.headers or ():
        if k == name:
            return v.decode()
    return None


def envelope_json(
    event_type: str,
    aggregate_id: str,
    data: dict[str, Any],
    event_id: uuid.UUID | None = None,
    version: int = 1,
) -> bytes:
    import json

    return json.dumps(
        {
            "event_id": str(event_id or uuid.uuid4()),
            "event_type": event_type,
            "schema_version": 1,
            "occurred_at": "2026-11-27T10:00:00Z",
            "producer": "test",
            "aggregate_id": aggregate_id,
            "version": version,
            "data": data,
        }
    ).encode()
