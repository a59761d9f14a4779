"""A throwaway service for plumbing tests: its own database, topic, relay and an effect-recording consumer."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from faststream.kafka import KafkaBroker

from avtal_common import consumer_upkeep
from avtal_common.consumer import ConsumerPolicy, EventConsumer, EventHandler
from avtal_common.db import create_pool, ensure_database
from avtal_common.errors import NotFound
from avtal_common.events import Envelope, Payload
from avtal_common.kafka import ensure_topics, make_broker, with_dead_letters
from avtal_common.migrations import common_migrations, migrate
from avtal_common.outbox import OutboxRelay, add_event, new_envelope
from avtal_common.outbox_kafka import KafkaRelayPublisher
from avtal_common.outbox_publish import Outcome, Row
from avtal_common.outbox_relay import LOCK_KEY
from avtal_common.settings import CommonSettings
from avtal_common.uow import Tx

EFFECTS = """
CREATE TABLE IF NOT EXISTS effects (
    id bigserial PRIMARY KEY, event_id uuid NOT NULL, seq integer NOT NULL, at timestamptz DEFAULT now()
)"""
# What a `Faults(needs_dependency=True)` handler looks for before it records its effect.
DEPENDENCIES = "CREATE TABLE IF NOT EXISTS dependencies (seq integer PRIMARY KEY)"


class Ping(Payload):
    seq: int


async def prepare(db_url: str, common: CommonSettings, topic: str) -> None:
    await ensure_database(db_url)
    conn = await asyncpg.connect(db_url)
    try:
        await migrate(conn, common_migrations())
        await conn.execute(EFFECTS)
        await conn.execute(DEPENDENCIES)
    finally:
        await conn.close()
    await ensure_topics(common, with_dead_letters([topic]))


async def queue_events(pool: asyncpg.Pool, topic: str, count: int, first: int = 0) -> list[uuid.UUID]:
    ids = []
    async with pool.acquire() as conn, conn.transaction():
        for seq in range(first, first + count):
            env = new_envelope(topic, "plumbing-test", f"agg-{seq % 7}", Ping(seq=seq))
            await add_event(conn, topic, env)
            ids.append(env.event_id)
    return ids


async def queue_keyed(pool: asyncpg.Pool, topic: str, count: int, keys: int, first_seq: int = 0) -> None:
    """`count` events in one transaction, round-robin over `keys` aggregates (`key-0` …)."""
    async with pool.acquire() as conn, conn.transaction():
        for seq in range(first_seq, first_seq + count):
            await add_event(
                conn, topic, new_envelope(topic, "plumbing-test", f"key-{seq % keys}", Ping(seq=seq))
            )


# The backend holding the relay lock of the current database: the active relay's connection.
RELAY_HOLDER = """
SELECT a.pid, a.application_name, a.state, a.query FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


async def relay_holder(conn: asyncpg.Connection) -> asyncpg.Record | None:
    return await conn.fetchrow(RELAY_HOLDER, LOCK_KEY)


def recording_handler(
    topic: str, delay_s: float = 0.0, poison: int | None = None, flaky: int = 0
) -> EventHandler:
    """Records one effect row per event; the event with seq == `poison` always fails (a bug), and
    the first `flaky` attempts at seq 0 fail as if the database connection dropped."""
    failures = {"left": flaky}

    async def record(tx: Tx, event: Envelope[Ping]) -> None:
        if event.data.seq == poison:
            raise RuntimeError(f"cannot handle seq {poison}")
        if event.data.seq == 0 and failures["left"] > 0:
            failures["left"] -= 1
            raise ConnectionResetError("connection reset by peer (simulated)")
        await tx.conn.execute(
            "INSERT INTO effects (event_id, seq) VALUES ($1, $2)", event.event_id, event.data.seq
        )
        if delay_s:
            await asyncio.sleep(delay_s)

    return EventHandler(topic, Ping, "plumbing.record", record)


@dataclass(frozen=True)
class Faults:
    """Misbehaviours of the effect-recording handler, by event seq (the effects table has no unique key,
    so only the inbox keeps a redelivered event from recording twice)."""

    poison_every: int | None = None  # seq % n == n - 1 always raises (a deterministic bug)
    crash_on: int | None = None  # the process exits on the spot (os._exit), mid-transaction
    needs_dependency: bool = False  # NotFound until `dependencies` holds the seq
    swallow_on: int | None = None  # swallows a database error, leaving the transaction aborted


def faulty_handler(topic: str, faults: Faults) -> EventHandler:
    async def record(tx: Tx, event: Envelope[Ping]) -> None:
        seq = event.data.seq
        if seq == faults.crash_on:
            os._exit(3)
        if faults.poison_every and seq % faults.poison_every == faults.poison_every - 1:
            raise RuntimeError(f"cannot handle seq {seq}")
        if faults.needs_dependency and not await _has_dependency(tx, seq):
            raise NotFound(f"dependency {seq} has not arrived (yet)")
        await tx.conn.execute("INSERT INTO effects (event_id, seq) VALUES ($1, $2)", event.event_id, seq)
        if seq == faults.swallow_on:
            with contextlib.suppress(asyncpg.PostgresError):  # the bug under test: leaves the tx aborted
                await tx.conn.execute("SELECT 1 / 0")

    return EventHandler(topic, Ping, "plumbing.record", record)


async def _has_dependency(tx: Tx, seq: int) -> bool:
    return bool(await tx.conn.fetchval("SELECT true FROM dependencies WHERE seq = $1", seq))


class RunningConsumer:
    """An in-process consumer with a faulty handler, its policy, and its upkeep loop (parked events)."""

    def __init__(
        self, w: Scratch, faults: Faults, policy: ConsumerPolicy | None = None, batch_size: int = 50
    ) -> None:
        self.broker = make_broker(w.common, f"test-{w.group}")
        self.consumer = EventConsumer(
            self.broker,
            w.pool,
            w.group,
            [faulty_handler(w.topic, faults)],
            batch_size=batch_size,
            fetch_max_wait_ms=50,
            session_timeout_ms=w.common.kafka_session_timeout_ms,
            policy=policy,
        )
        self._upkeep: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RunningConsumer:
        self.consumer.register()
        await self.broker.start()
        self._upkeep = asyncio.create_task(consumer_upkeep.maintain(self.consumer))
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._upkeep is not None
        self._upkeep.cancel()
        await asyncio.gather(self._upkeep, return_exceptions=True)
        await self.broker.stop()


async def start_consumer(
    common: CommonSettings,
    pool: asyncpg.Pool,
    topic: str,
    group: str,
    delay_s: float = 0.0,
    batch_size: int = 50,
    poison: int | None = None,
    flaky: int = 0,
) -> KafkaBroker:
    broker = make_broker(common, f"test-{group}")
    EventConsumer(
        broker,
        pool,
        group,
        [recording_handler(topic, delay_s, poison, flaky)],
        batch_size=batch_size,
        fetch_max_wait_ms=50,
        session_timeout_ms=common.kafka_session_timeout_ms,
    ).register()
    await broker.start()
    return broker


class RunningRelay:
    """An in-process outbox relay with the publisher the services use (`service` labels its metrics)."""

    def __init__(
        self,
        common: CommonSettings,
        pool: asyncpg.Pool,
        poll_interval_s: float = 0.1,
        service: str = "plumbing-test",
        round_timeout_s: float = 10.0,
    ) -> None:
        self.publisher = KafkaRelayPublisher(common, f"test-relay-{uuid.uuid4().hex[:6]}", round_timeout_s)
        self.relay = OutboxRelay(
            pool,
            self.publisher,
            service,
            batch_size=50,
            poll_interval_s=poll_interval_s,
            round_timeout_s=round_timeout_s,
            standby_poll_s=0.2,
        )
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RunningRelay:
        self._task = asyncio.create_task(self.relay.run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        await self.publisher.close()


class CrashAfterPublishRelay(OutboxRelay):
    """The relay, killed (SIGKILL) once the broker acknowledged a batch and before it is marked sent."""

    async def _publish(self, rows: list[Row]) -> Outcome:
        outcome = await super()._publish(rows)
        if outcome.sent:
            os.kill(os.getpid(), signal.SIGKILL)
        return outcome


async def run_relay(common: CommonSettings, db_url: str, crash_after_publish: bool) -> None:
    # The process id in application_name lets a test find which relay holds the lock (pg_stat_activity).
    pool = await create_pool(db_url, application_name=f"plumbing-relay-{os.getpid()}")
    publisher = KafkaRelayPublisher(common, "test-relay")
    relay_class = CrashAfterPublishRelay if crash_after_publish else OutboxRelay
    await relay_class(
        pool, publisher, "plumbing-test", batch_size=100, poll_interval_s=0.2, standby_poll_s=0.2
    ).run()


async def run_consumer(
    common: CommonSettings,
    db_url: str,
    topic: str,
    group: str,
    delay_s: float,
    crash_on: int | None = None,
    max_attempts: int = 5,
) -> None:
    """Consume until SIGTERM, then stop the way a service does: FastStream's graceful shutdown.
    With `crash_on`, the process exits on that event instead (before its transaction commits)."""
    pool = await create_pool(db_url)
    if crash_on is None:
        broker = await start_consumer(common, pool, topic, group, delay_s)
    else:
        broker = make_broker(common, f"test-{group}")
        EventConsumer(
            broker,
            pool,
            group,
            [faulty_handler(topic, Faults(crash_on=crash_on))],
            batch_size=50,
            session_timeout_ms=common.kafka_session_timeout_ms,
            policy=ConsumerPolicy(max_attempts=max_attempts),
        ).register()
        await broker.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await broker.stop()
    await pool.close()


def main() -> None:
    """`python -m avtal_testing.plumbing relay|consume --db URL [...]`: a process to kill in tests
    (`relay --crash-after-publish` kills itself between publishing and marking)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["relay", "consume"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--topic", default="")
    parser.add_argument("--group", default="")
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--crash-after-publish", action="store_true")
    parser.add_argument("--crash-on", type=int, default=None, help="consume: exit on the event of this seq")
    parser.add_argument("--max-attempts", type=int, default=5)
    args = parser.parse_args()
    common = CommonSettings()
    if args.role == "relay":
        asyncio.run(run_relay(common, args.db, args.crash_after_publish))
    else:
        asyncio.run(
            run_consumer(
                common,
                args.db,
                args.topic,
                args.group,
                args.delay_ms / 1000,
                args.crash_on,
                args.max_attempts,
            )
        )


if __name__ == "__main__":
    main()


@dataclass
class Scratch:
    """A throwaway database and topic on the stack's servers, and processes to run against them."""

    db_url: str
    topic: str
    group: str
    common: CommonSettings
    env: dict[str, str]
    pool: asyncpg.Pool

    def spawn(self, role: str, *args: str, **env: str) -> subprocess.Popen[bytes]:
        cmd = [sys.executable, "-m", "avtal_testing.plumbing", role, "--db", self.db_url]
        if role == "consume":
            cmd += ["--topic", self.topic, "--group", self.group]
        return subprocess.Popen(
            [*cmd, *args], env=self.env | env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    async def count(self, sql: str = "SELECT count(*) FROM effects") -> int:
        async with self.pool.acquire() as conn:
            return await conn.fetchval(sql)


async def scratch(
    postgres_url: str,
    bootstrap: str,
    profile: str,
    env: dict[str, str],
    replication_factor: int | None = None,
) -> Scratch:
    name = f"test_{uuid.uuid4().hex[:10]}"
    db_url = f"{postgres_url.rpartition('/')[0]}/{name}"
    common = CommonSettings(
        kafka_bootstrap_servers=bootstrap, kafka_profile=profile, postgres_url=postgres_url
    )
    if replication_factor is not None:
        common = common.model_copy(update={"kafka_replication_factor": replication_factor})
    topic = f"test.{name}"
    await prepare(db_url, common, topic)
    return Scratch(
        db_url,
        topic,
        name,
        common,
        env | {"PYTHONPATH": str(Path(__file__).parents[1])},
        await create_pool(db_url, max_size=40),
    )
