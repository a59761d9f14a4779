"""Delivery guarantees on the real broker: dead letters, duplicates, a killed consumer."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid

import asyncpg
import httpx
import pytest

from avtal_common import topics
from avtal_common.db import create_pool
from avtal_common.settings import CommonSettings
from avtal_testing import plumbing
from avtal_testing.api import eventually, ok, unique
from avtal_testing.kafka import envelope_json, header, publish, read_all
from avtal_testing.stack import ROOT, StackInfo


def _contract_created(contract_id: uuid.UUID, start: str = "2026-01-01", end: str = "2026-12-31") -> dict:
    customer_id = uuid.uuid4()
    return {
        "contract_id": str(contract_id), "contract_no": unique("C"), "currency": "SEK",
        "customer": {"customer_id": str(customer_id), "name": "Event Customer AB",
                     "email": f"{unique('ev')}@example.com", "locale": "en"},
        "start_date": start, "end_date": end, "billing_interval_months": 12,
        "lines": [{"line_id": str(uuid.uuid4()), "product_id": str(uuid.uuid4()), "sku": "EV-1",
                   "product_name": "Event care", "annual_price": "999.00",
                   "item": {"item_id": str(uuid.uuid4()), "manufacturer_no": "M", "model": "X",
                            "serial_no": unique("S")}}],
    }


def _schedule(stack: StackInfo, contract_id: uuid.UUID) -> list | None:
    r = httpx.get(f"{stack.services['billing']}/contracts/{contract_id}/schedule")
    return r.json() if r.status_code == 200 else None


async def test_a_malformed_message_is_dead_lettered_with_its_reason_and_the_next_one_is_processed(
        stack: StackInfo) -> None:
    bootstrap = stack.kafka_bootstrap_servers
    garbage_key = unique("garbage").encode()
    await publish(bootstrap, topics.CONTRACT_CREATED, b"{this is not json", key=garbage_key,
                  headers={"x-correlation-id": "dlq-test"})
    bad_rule_id = uuid.uuid4()
    await publish(bootstrap, topics.CONTRACT_CREATED, envelope_json(
        topics.CONTRACT_CREATED, str(bad_rule_id), _contract_created(bad_rule_id, "2026-05-01", "2026-04-01")),
        key=str(bad_rule_id).encode())
    good_id = uuid.uuid4()
    await publish(bootstrap, topics.CONTRACT_CREATED, envelope_json(
        topics.CONTRACT_CREATED, str(good_id), _contract_created(good_id)), key=str(good_id).encode())

    assert eventually(lambda: _schedule(stack, good_id), what="the good event to be applied")
    dead = await _dead_letters(bootstrap, topics.CONTRACT_CREATED, garbage_key)
    assert header(dead, "dlq.reason").startswith("schema:")
    assert header(dead, "dlq.group") == "billing" and header(dead, "x-correlation-id") == "dlq-test"
    assert header(dead, "dlq.original_topic") == topics.CONTRACT_CREATED
    refused = await _dead_letters(bootstrap, topics.CONTRACT_CREATED, str(bad_rule_id).encode())
    assert header(refused, "dlq.reason").startswith("domain:")
    assert _schedule(stack, bad_rule_id) is None


async def _dead_letters(bootstrap: str, topic: str, key: bytes):  # noqa: ANN202
    for _ in range(60):
        found = [r for r in await read_all(bootstrap, topics.dlq(topic)) if r.key == key]
        if found:
            return found[0]
        await asyncio.sleep(0.5)
    raise AssertionError(f"nothing with key {key!r} in {topics.dlq(topic)}")


async def test_the_same_event_delivered_twice_makes_one_invoice(stack: StackInfo, staff: httpx.Client) -> None:
    contract_id, event_id = uuid.uuid4(), uuid.uuid4()
    message = envelope_json(topics.CONTRACT_CREATED, str(contract_id), _contract_created(contract_id),
                            event_id=event_id)
    for _ in range(2):
        await publish(stack.kafka_bootstrap_servers, topics.CONTRACT_CREATED, message,
                      key=str(contract_id).encode())
    eventually(lambda: _schedule(stack, contract_id), what="billing to apply the event")
    conn = await asyncpg.connect(stack.database_url("billing"))
    try:
        await _claimed(conn, event_id)
        for key in (unique("run"), unique("run")):
            ok(staff.post("/api/v1/billing-runs", json={"as_of": "2026-06-01", "run_key": key}))
        count = await conn.fetchval("SELECT count(*) FROM invoices WHERE contract_id = $1", contract_id)
        periods = await conn.fetchval("SELECT count(*) FROM billing_periods WHERE contract_id = $1", contract_id)
        claims = await conn.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", event_id)
    finally:
        await conn.close()
    assert (count, periods, claims) == (1, 1, 1)


async def _claimed(conn: asyncpg.Connection, event_id: uuid.UUID) -> None:
    for _ in range(120):
        if await conn.fetchval("SELECT count(*) >= 1 FROM inbox WHERE event_id = $1", event_id):
            await asyncio.sleep(1.0)  # give the duplicate time to arrive as well
            return
        await asyncio.sleep(0.25)
    raise AssertionError("the event never arrived")


@pytest.mark.timeout(240)
async def test_a_consumer_killed_mid_stream_and_restarted_loses_nothing_and_doubles_nothing(
        stack: StackInfo) -> None:
    name = f"test_{uuid.uuid4().hex[:10]}"
    db_url, topic, group = stack.database_url(name).replace("avtal_test_", "test_"), f"test.{name}", name
    common = CommonSettings(kafka_bootstrap_servers=stack.kafka_bootstrap_servers,
                            kafka_profile=stack.kafka_profile)
    await plumbing.prepare(db_url, common, topic)
    pool = await create_pool(db_url)
    env = stack.env | {"PYTHONPATH": str(ROOT / "tests")}
    cmd = [sys.executable, "-m", "avtal_testing.plumbing", "consume", "--db", db_url, "--topic", topic,
           "--group", group, "--delay-ms", "15"]
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    second = None
    try:
        relay_env = env | {"AVTAL_LOG_LEVEL": "WARNING"}
        relay = subprocess.Popen([sys.executable, "-m", "avtal_testing.plumbing", "relay", "--db", db_url],
                                 env=relay_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ids = await plumbing.queue_events(pool, topic, 400)
        async with pool.acquire() as conn:
            for _ in range(400):
                if await conn.fetchval("SELECT count(*) FROM effects") >= 100:
                    break
                await asyncio.sleep(0.1)
            os.kill(first.pid, signal.SIGKILL)
            first.wait()
            done_before = await conn.fetchval("SELECT count(*) FROM effects")
            assert 0 < done_before < 400, "the kill must land mid-stream"
            second = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(900):
                if await conn.fetchval("SELECT count(DISTINCT event_id) FROM effects") >= 400:
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)
            rows = await conn.fetch("SELECT event_id FROM effects")
        assert len(rows) == 400, f"{len(rows)} effects for 400 events"
        assert {r["event_id"] for r in rows} == set(ids)
    finally:
        for proc in (first, second, locals().get("relay")):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        await pool.close()


@pytest.mark.timeout(240)
async def test_a_consumer_stopped_with_sigterm_during_a_slow_handler_commits_nothing_in_flight(
        stack: StackInfo) -> None:
    """FastStream cancels a handler still running after the graceful timeout; that batch must be
    rolled back and redelivered, never committed (faststream #2999)."""
    name = f"test_{uuid.uuid4().hex[:10]}"
    db_url, topic, group = stack.database_url(name).replace("avtal_test_", "test_"), f"test.{name}", name
    common = CommonSettings(kafka_bootstrap_servers=stack.kafka_bootstrap_servers,
                            kafka_profile=stack.kafka_profile)
    await plumbing.prepare(db_url, common, topic)
    pool = await create_pool(db_url)
    env = stack.env | {"PYTHONPATH": str(ROOT / "tests"), "AVTAL_KAFKA_GRACEFUL_TIMEOUT_S": "2"}
    cmd = [sys.executable, "-m", "avtal_testing.plumbing", "consume", "--db", db_url, "--topic", topic,
           "--group", group]
    slow = subprocess.Popen([*cmd, "--delay-ms", "300"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    relay = subprocess.Popen([sys.executable, "-m", "avtal_testing.plumbing", "relay", "--db", db_url],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fast = None
    try:
        ids = await plumbing.queue_events(pool, topic, 40)
        async with pool.acquire() as conn:
            for _ in range(600):  # a batch is in flight once its transaction is open
                if await conn.fetchval(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND state LIKE "
                        "'idle in transaction%' AND query LIKE '%effects%'", name):
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the slow consumer never started a batch")
            slow.send_signal(signal.SIGTERM)
            assert slow.wait(timeout=60) is not None
            assert await conn.fetchval("SELECT count(*) FROM effects") < 40
            fast = subprocess.Popen([*cmd, "--delay-ms", "0"], env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            for _ in range(600):
                if await conn.fetchval("SELECT count(DISTINCT event_id) FROM effects") >= 40:
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)
            rows = await conn.fetch("SELECT event_id FROM effects")
        assert sorted(r["event_id"] for r in rows) == sorted(ids)
    finally:
        for proc in (slow, relay, fast):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        await pool.close()
