"""Readiness follows the broker: red within 10 s of losing it, green again once it is back."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import asyncpg
import httpx
import pytest

from avtal_common.db import ensure_database
from avtal_common.migrations import common_migrations, migrate, package_migrations
from avtal_testing.brokers import OwnBroker, free_port
from avtal_testing.stack import StackInfo


def _ready(url: str) -> bool | None:
    try:
        return httpx.get(f"{url}/health/ready", timeout=3).status_code == 200
    except httpx.HTTPError:
        return None


def _wait(url: str, want: bool, timeout_s: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if _ready(url) is want:
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"readiness did not become {want} within {timeout_s:.0f}s")


@pytest.mark.timeout(300)
async def test_readiness_goes_red_without_the_broker_and_green_when_it_returns(stack: StackInfo) -> None:
    db_url = stack.database_url(f"ready_{uuid.uuid4().hex[:8]}")
    await ensure_database(db_url)
    conn = await asyncpg.connect(db_url)
    await migrate(conn, common_migrations() + package_migrations("avtal_reporting"))
    await conn.close()
    broker = OwnBroker(stack.kafka_profile, stack.home / f"broker-{uuid.uuid4().hex[:6]}")
    broker.start()
    port = free_port()
    env = stack.env | {
        "AVTAL_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        # Its own broker is one node: the cluster's layout (3 replicas, min ISR 2) cannot be created there.
        "AVTAL_KAFKA_REPLICATION_FACTOR": "1",
        "AVTAL_KAFKA_MIN_INSYNC_REPLICAS": "1",
        "AVTAL_REPORTING_DATABASE_URL": db_url,
        "AVTAL_REPORTING_HTTP_PORT": str(port),
    }
    log = open(stack.home / "logs" / f"reporting-ready-{port}.log", "w")  # noqa: SIM115
    service = subprocess.Popen([sys.executable, "-m", "avtal_reporting"], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, True, 90)
        broker.stop()
        red_after = _wait(url, False, 10)
        assert red_after <= 10
        body = httpx.get(f"{url}/health/ready").json()
        assert body["checks"]["broker"] is False and body["checks"]["database"] is True
        broker.restart()
        _wait(url, True, 60)
    finally:
        service.terminate()
        try:
            # Bounded by the graceful timeout (15 s) plus a margin, even right after the broker returns.
            service.wait(45)
        finally:
            service.kill()  # never leave it behind, even when the assertion below fails
            broker.close()
