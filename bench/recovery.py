"""relay_recovery_s: 10,000 outbox rows wait while the broker is unreachable (a TCP proxy cut between the
relay and a Tansu of the bench's own); seconds from the broker's return to a backlog of 0."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path

import asyncpg

from avtal_common.db import create_pool
from avtal_common.kafka import ensure_topics
from avtal_common.outbox import OutboxRelay
from avtal_common.outbox_kafka import KafkaRelayPublisher
from avtal_common.settings import CommonSettings
from bench.pipeline import drop_database, new_run_id, prepare_database
from bench.proxy import TcpProxy, proxy_ports, start_tansu_behind
from bench.report import Figure
from bench.workload import make_rows, outbox_records

ROWS = int(os.environ.get("AVTAL_BENCH_RECOVERY_ROWS", "10000"))
OUTAGE_S = float(os.environ.get("AVTAL_BENCH_OUTAGE_S", "20"))
TARGET_S = 10.0  # issue 6


async def recovery_figure(common: CommonSettings, home: Path) -> Figure:
    print(f"relay recovery: {ROWS} rows waiting through a {OUTAGE_S:.0f} s broker outage ...", flush=True)
    quiet = [logging.getLogger(n) for n in ("avtal_common.outbox_relay", "aiokafka")]
    levels = [q.level for q in quiet]
    for q in quiet:  # the outage is the point: its retries are expected, not news
        q.setLevel(logging.CRITICAL)
    try:
        seconds = await measure_recovery(common, home)
    finally:
        for q, level in zip(quiet, levels, strict=True):
            q.setLevel(level)
    return Figure(
        "relay_recovery_s",
        seconds,
        "s",
        target=TARGET_S,
        note=f"{ROWS} outbox rows queued while a TCP proxy between relay and broker (own Tansu) was cut "
        f"for {OUTAGE_S:.0f} s; from the proxy's restore to backlog 0",
    )


async def measure_recovery(common: CommonSettings, home: Path) -> float:
    tansu_port, proxy_port = proxy_ports()
    broker = start_tansu_behind(home, tansu_port, proxy_port)
    proxy = TcpProxy(tansu_port, proxy_port)
    run_id = new_run_id()
    topic, database = f"bench.recovery.{run_id}", f"avtal_bench_rec_{run_id}"
    through = common.model_copy(
        update={"kafka_bootstrap_servers": f"127.0.0.1:{proxy_port}", "kafka_profile": "local"}
    )
    try:
        await proxy.start()
        await ensure_topics(through, [topic])
        url = await prepare_database(common, database, topic, [])
        return await _outage_and_recovery(url, through, proxy, topic, run_id)
    finally:
        await proxy.close()
        broker.terminate()
        broker.wait(10)
        await drop_database(common, database)


async def _outage_and_recovery(
    url: str, through: CommonSettings, proxy: TcpProxy, topic: str, run_id: str
) -> float:
    pool = await create_pool(url)
    publisher = KafkaRelayPublisher(through, f"avtal-bench-recovery-{run_id}")
    await publisher.start()  # connected before the outage, as a running service's relay is
    relay = asyncio.create_task(OutboxRelay(pool, publisher, "bench-recovery").run())
    try:
        proxy.cut()
        conn = await asyncpg.connect(url)  # COPY needs asyncpg's binary jsonb, not the pool's text codec
        try:
            await conn.copy_records_to_table(
                "outbox",
                records=outbox_records(topic, make_rows(topic, ROWS)),
                columns=["event_id", "topic", "key", "payload", "headers"],
            )
        finally:
            await conn.close()
        await asyncio.sleep(OUTAGE_S)
        waiting = await _backlog(pool)
        if waiting != ROWS:
            raise RuntimeError(f"{ROWS - waiting} rows got through a cut proxy: the outage was not real")
        proxy.restore()
        back = time.monotonic()
        while await _backlog(pool):
            await asyncio.sleep(0.02)
        return time.monotonic() - back
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)
        await publisher.close()
        await pool.close()


async def _backlog(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"))


def main() -> None:
    """`python -m bench.recovery`: this figure alone."""
    import uvloop

    from avtal_common.logging import configure_logging
    from bench.__main__ import ROOT
    from bench.infra import bench_infra

    configure_logging("avtal-bench", "WARNING", json=False)
    with bench_infra(ROOT / ".avtal" / "bench-recovery") as (common, where):
        print(f"recovery bench on {where}", flush=True)
        print(uvloop.run(recovery_figure(common, ROOT / ".avtal" / "bench-recovery")).line())


if __name__ == "__main__":
    main()
