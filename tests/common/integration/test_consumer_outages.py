"""A database outage during consumption is waited out: no dead letters, every event applied once after it,
the consumer reported failing meanwhile. The faults are real PostgreSQL errors, raised by a trigger."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx

from avtal_common import topics
from avtal_testing.api import eventually
from avtal_testing.contracts import billing_schedule, contract_state
from avtal_testing.kafka import envelope_json, publish, read_all
from avtal_testing.stack import StackInfo

# Cycles through disk full, read-only after failover, statement timeout and lock timeout: one per
# attempt at inserting into billing's contracts table (the sequence counts attempts; it is not rolled back).
_FAULT = """
CREATE SEQUENCE {name};
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    codes text[] := ARRAY['53100', '25006', '57014', '55P03'];
BEGIN
    RAISE EXCEPTION 'injected fault' USING ERRCODE = codes[1 + (nextval('{name}') % 4)::int];
END $$;
CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON contracts FOR EACH ROW EXECUTE FUNCTION {name}();
"""
_HEAL = "DROP TRIGGER {name} ON contracts; DROP FUNCTION {name}(); DROP SEQUENCE {name};"


def _failing_seconds(stack: StackInfo) -> float:
    """billing's `avtal_consumer_failing_seconds` (the number readiness is judged by)."""
    text = httpx.get(f"{stack.services['billing']}/metrics", timeout=10).text
    for line in text.splitlines():
        if line.startswith('avtal_consumer_failing_seconds{group="billing"}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def _attempts(conn: asyncpg.Connection, name: str) -> int:
    row = await conn.fetchrow(f"SELECT last_value, is_called FROM {name}")
    return row["last_value"] if row["is_called"] else 0


async def test_database_errors_during_consumption_are_waited_out_with_no_dead_letters(
    stack: StackInfo,
) -> None:
    name = f"test_fault_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(stack.database_url("billing"))
    ids = [uuid.uuid4() for _ in range(4)]
    try:
        await conn.execute(_FAULT.format(name=name))
        for cid in ids:
            message = envelope_json(topics.CONTRACT_STATE, str(cid), contract_state(cid))
            await publish(
                stack.kafka_bootstrap_servers, topics.CONTRACT_STATE, message, key=str(cid).encode()
            )
        # Six attempts: every code at least once, and more tries than the consumer's max_attempts (5),
        # after which the old consumer dead-lettered a poison event.
        for _ in range(120):
            if await _attempts(conn, name) >= 6 and _failing_seconds(stack) > 2:
                break
            await asyncio.sleep(0.25)
        else:
            raise AssertionError("the fault was never hit six times with the consumer reported failing")
        during = _failing_seconds(stack)
    finally:
        await conn.execute(_HEAL.format(name=name))
    try:
        for cid in ids:
            eventually(
                lambda cid=cid: billing_schedule(stack, cid),
                what=f"contract {cid} to be applied after the fault",
            )
        eventually(lambda: _failing_seconds(stack) == 0, what="the consumer to report healthy again")
        claims = await conn.fetchval("SELECT count(*) FROM contracts WHERE contract_id = ANY($1)", ids)
        periods = await conn.fetchval("SELECT count(*) FROM billing_periods WHERE contract_id = ANY($1)", ids)
    finally:
        await conn.close()
    assert during > 2 and (claims, periods) == (4, 4)  # one 12-month period each, none doubled
    dead = await read_all(stack.kafka_bootstrap_servers, topics.dlq(topics.CONTRACT_STATE), idle_ms=500)
    assert not [r for r in dead if r.key in {str(cid).encode() for cid in ids}], "an outage was dead-lettered"
