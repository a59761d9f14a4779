"""Events/s through the real plumbing: outbox rows → OutboxRelay → Kafka → EventConsumer → effects rows."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from avtal_common.consumer import EventConsumer, EventHandler
from avtal_common.db import create_pool, ensure_database
from avtal_common.events import Envelope
from avtal_common.kafka import ensure_topics, make_broker, with_dead_letters
from avtal_common.migrations import common_migrations, migrate
from avtal_common.outbox import OutboxRelay
from avtal_common.outbox_kafka import KafkaRelayPublisher
from avtal_common.settings import CommonSettings
from avtal_common.uow import Tx
from bench.workload import BenchPayload, Row, outbox_records

_EFFECTS = """
CREATE TABLE bench_effects (
    event_id      uuid PRIMARY KEY,
    aggregate_id  text NOT NULL,
    amount_cents  bigint NOT NULL
)"""
_INSERT_EFFECT = "INSERT INTO bench_effects (event_id, aggregate_id, amount_cents) VALUES ($1, $2, $3)"


async def _apply(tx: Tx, env: Envelope[Any]) -> None:
    await tx.conn.execute(_INSERT_EFFECT, env.event_id, env.aggregate_id, env.data.amount_cents)


async def wait_assigned(consumer: Any, timeout_s: float = 60.0) -> None:
    """Wait until an aiokafka consumer has joined its group and holds partitions."""
    deadline = time.monotonic() + timeout_s
    while not consumer.assignment():
        if time.monotonic() > deadline:
            raise TimeoutError("consumer group join did not finish")
        await asyncio.sleep(0.05)


async def wait_count(pool: asyncpg.Pool, n: int, timeout_s: float) -> float:
    """Poll the effects table every 20 ms; return the monotonic time it first holds `n` rows."""
    deadline = time.monotonic() + timeout_s
    while True:
        got = await pool.fetchval("SELECT count(*) FROM bench_effects")
        now = time.monotonic()
        if got >= n:
            return now
        if now > deadline:
            raise TimeoutError(f"only {got}/{n} effects after {timeout_s:.0f}s")
        await asyncio.sleep(0.02)


async def prepare_database(common: CommonSettings, database: str, topic: str, rows: list[Row]) -> str:
    """Create the bench database with the common migrations and the effects table; fill the outbox."""
    url = common.database_url(database)
    await ensure_database(url)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn, common_migrations())
        await conn.execute(_EFFECTS)
        await conn.copy_records_to_table(
            "outbox",
            records=outbox_records(topic, rows),
            columns=["event_id", "topic", "key", "payload", "headers"],
        )
        await conn.execute("ANALYZE outbox")
    finally:
        await conn.close()
    return url


async def drop_database(common: CommonSettings, database: str) -> None:
    conn = await asyncpg.connect(common.database_url("postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()


async def measure_pipeline(common: CommonSettings, rows: list[Row], run_id: str) -> float:
    """Seconds from relay start until every row has its effect; the consumer has joined before."""
    topic, database = f"bench.pipeline.{run_id}", f"avtal_bench_{run_id}"
    await ensure_topics(common, with_dead_letters([topic]))
    url = await prepare_database(common, database, topic, rows)
    pool = await create_pool(url)
    broker = make_broker(common, f"avtal-bench-{run_id}")
    handler = EventHandler(topic, BenchPayload, "bench.on_event", _apply)
    consumer = EventConsumer(
        broker,
        pool,
        f"bench-pipeline-{run_id}",
        [handler],
        fetch_max_wait_ms=common.kafka_fetch_max_wait_ms,
        session_timeout_ms=common.kafka_session_timeout_ms,
    )
    publisher = KafkaRelayPublisher(common, f"avtal-bench-relay-{run_id}")
    consumer.register()
    relay_task: asyncio.Task[None] | None = None
    try:
        await publisher.start()
        await broker.start()
        await wait_assigned(consumer.subscriber.consumer)
        started = time.monotonic()
        relay_task = asyncio.create_task(OutboxRelay(pool, publisher, "bench").run())
        done = await wait_count(pool, len(rows), timeout_s=120)
        return done - started
    finally:
        if relay_task is not None:
            relay_task.cancel()
            await asyncio.gather(relay_task, return_exceptions=True)
        await broker.stop()
        await publisher.close()
        await pool.close()
        await drop_database(common, database)


async def delete_topics(common: CommonSettings, topics: list[str]) -> None:
    """Remove the bench's topics (they would outlive the run on an external Kafka)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=common.bootstrap_list, client_id="avtal-bench")
    await admin.start()
    try:
        await admin.delete_topics(topics)
    finally:
        await admin.close()


def new_run_id() -> str:
    return uuid.uuid4().hex[:10]
