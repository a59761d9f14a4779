"""A broker outage (a TCP proxy cut between a service and its broker) is visible while it lasts: the
backlog gauges rise and readiness names the relay; once the broker is back, every row is delivered."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from collections import defaultdict

import asyncpg
import httpx
import pytest

from avtal_common.db import create_pool, ensure_database
from avtal_common.kafka import ensure_topics
from avtal_common.migrations import common_migrations, migrate, package_migrations
from avtal_common.settings import CommonSettings
from avtal_testing import plumbing
from avtal_testing.brokers import free_port
from avtal_testing.kafka import read_all
from avtal_testing.stack import StackInfo
from avtal_testing.tcp_proxy import TansuBehind, TcpProxy

EVENTS = 300


async def until(probe, timeout_s: float, what: str):
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if found := await probe():
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.timeout(180)
async def test_a_broker_outage_raises_the_backlog_gauges_turns_readiness_red_and_loses_nothing(
    stack: StackInfo,
) -> None:
    if stack.kafka_profile != "local":
        pytest.skip("the broker behind the proxy is a local Tansu")
    db_url = stack.database_url(f"outage_{uuid.uuid4().hex[:8]}")
    await _migrated(db_url)
    proxy_port = free_port()
    tansu = TansuBehind(stack.home, proxy_port)
    tansu.start()
    proxy = await TcpProxy(tansu.port, proxy_port).start()
    bootstrap = f"127.0.0.1:{proxy.port}"
    topic = f"test.outage.{uuid.uuid4().hex[:8]}"
    await ensure_topics(CommonSettings(kafka_bootstrap_servers=bootstrap), [topic])
    port, pool = free_port(), await create_pool(db_url)
    service = _start_reporting(stack, db_url, bootstrap, port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            await until(lambda: _ready(http, True), 90, "the service ready")
            proxy.cut()
            await plumbing.queue_keyed(pool, topic, EVENTS, keys=10)
            await until(lambda: _gauges_show_outage(http), 30, "backlog and oldest-age gauges rising")
            checks = await until(lambda: _relay_red(http), 30, "readiness red naming the relay")
            assert checks["relay"] is False and checks["database"] is True
            proxy.restore()
            await until(lambda: _ready(http, True), 60, "readiness green again")
            await until(lambda: _gauge_is(http, "avtal_outbox_backlog_events", 0), 30, "backlog 0")
        expected = defaultdict(list)
        for r in await pool.fetch("SELECT key, event_id FROM outbox ORDER BY id"):
            expected[r["key"]].append(str(r["event_id"]))
    finally:
        proxy.restore()  # a service stops cleanly only with its broker
        service.terminate()
        try:
            service.wait(30)
        except subprocess.TimeoutExpired:
            service.kill()
            service.wait(10)
        await pool.close()
    published = defaultdict(list)
    for record in await read_all(bootstrap, topic):
        published[record.key.decode()].append(json.loads(record.value)["event_id"])
    await proxy.close()
    tansu.stop()
    assert published == expected  # every row once, in order: nothing was sent before the cut


async def _migrated(db_url: str) -> None:
    await ensure_database(db_url)
    conn = await asyncpg.connect(db_url)
    try:
        await migrate(conn, common_migrations() + package_migrations("avtal_reporting"))
    finally:
        await conn.close()


def _start_reporting(stack: StackInfo, db_url: str, bootstrap: str, port: int) -> subprocess.Popen[bytes]:
    env = stack.env | {
        "AVTAL_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "AVTAL_REPORTING_DATABASE_URL": db_url,
        "AVTAL_REPORTING_HTTP_PORT": str(port),
        "AVTAL_UNHEALTHY_AFTER_S": "2",
        "AVTAL_REPORTING_OUTBOX_ROUND_TIMEOUT_S": "2",
    }
    log = open(stack.home / "logs" / f"reporting-outage-{port}.log", "w")  # noqa: SIM115
    return subprocess.Popen([sys.executable, "-m", "avtal_reporting"], env=env, stdout=log, stderr=log)


async def _ready(http: httpx.AsyncClient, want: bool) -> dict | None:
    try:
        r = await http.get("/health/ready")
    except httpx.HTTPError:
        return None
    return r.json()["checks"] if (r.status_code == 200) is want else None


async def _relay_red(http: httpx.AsyncClient) -> dict | None:
    checks = await _ready(http, False)
    return checks if checks is not None and checks.get("relay") is False else None


async def _gauge(http: httpx.AsyncClient, name: str) -> float | None:
    try:
        text = (await http.get("/metrics")).text
    except httpx.HTTPError:
        return None
    prefix = f'{name}{{service="reporting"}} '
    return next((float(line[len(prefix) :]) for line in text.splitlines() if line.startswith(prefix)), None)


async def _gauge_is(http: httpx.AsyncClient, name: str, value: float) -> bool:
    return await _gauge(http, name) == value


async def _gauges_show_outage(http: httpx.AsyncClient) -> bool:
    backlog = await _gauge(http, "avtal_outbox_backlog_events")
    age = await _gauge(http, "avtal_outbox_oldest_age_seconds")
    return backlog == EVENTS and age is not None and age > 1.0
