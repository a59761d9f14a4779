"""The consumer's upkeep on a real database: the inbox is purged after its retention period."""

from __future__ import annotations

import uuid

from avtal_common.consumer import ConsumerPolicy, EventConsumer
from avtal_common.consumer_upkeep import purge_inbox
from avtal_common.kafka import make_broker
from avtal_testing.plumbing import Faults, Scratch, faulty_handler

_OLD = """
INSERT INTO inbox (event_id, handler, topic, processed_at)
SELECT gen_random_uuid(), 'plumbing.record', $1, now() - make_interval(days => $2) FROM generate_series(1, $3)
"""


async def test_inbox_claims_older_than_the_retention_period_are_purged_in_batches_and_newer_kept(
    world: Scratch,
) -> None:
    async with world.pool.acquire() as conn:
        await conn.execute(_OLD, world.topic, 15, 2500)  # more than two purge batches (1,000 each)
        await conn.execute(_OLD, world.topic, 13, 7)
        await conn.execute(
            "INSERT INTO inbox (event_id, handler, topic) VALUES ($1, 'plumbing.record', $2)",
            uuid.uuid4(),
            world.topic,
        )
    consumer = EventConsumer(
        make_broker(world.common, "test-upkeep"),  # never started: the purge needs only the database
        world.pool,
        world.group,
        [faulty_handler(world.topic, Faults())],
        policy=ConsumerPolicy(inbox_retention_s=14 * 86400.0),
    )
    assert await purge_inbox(consumer) == 2500
    assert await world.count("SELECT count(*) FROM inbox") == 8
    assert await purge_inbox(consumer) == 0
