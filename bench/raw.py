"""The limit: the same events produced and consumed with bare aiokafka on the same broker."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from avtal_common.kafka import ensure_topics
from avtal_common.settings import CommonSettings
from bench.pipeline import wait_assigned
from bench.workload import Row


async def _consume(consumer: AIOKafkaConsumer, n: int) -> float:
    got = 0
    while got < n:
        batches = await consumer.getmany(timeout_ms=1000)
        got += sum(len(records) for records in batches.values())
    return time.monotonic()


async def measure_raw(common: CommonSettings, rows: list[Row], run_id: str) -> float:
    """Seconds to produce all rows (acks=all) and consume them in a group, the group joined before."""
    topic = f"bench.raw.{run_id}"
    await ensure_topics(common, [topic])
    producer = AIOKafkaProducer(
        bootstrap_servers=common.bootstrap_list,
        client_id=f"bench-raw-{run_id}",
        acks="all",
        linger_ms=2,
        enable_idempotence=common.kafka_profile == "kafka",
    )
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=common.bootstrap_list,
        group_id=f"bench-raw-{run_id}",
        auto_offset_reset="earliest",
        fetch_max_wait_ms=common.kafka_fetch_max_wait_ms,
    )
    messages = [(r.payload, r.key.encode(), [(k, v.encode()) for k, v in r.headers.items()]) for r in rows]
    await producer.start()
    await consumer.start()
    try:
        await wait_assigned(consumer)
        started = time.monotonic()
        consumed = asyncio.create_task(_consume(consumer, len(rows)))
        sent = [
            await producer.send(topic, value, key=key, headers=headers) for value, key, headers in messages
        ]
        await asyncio.gather(*sent)
        done = await asyncio.wait_for(consumed, timeout=120)
        return done - started
    finally:
        await consumer.stop()
        await producer.stop()
