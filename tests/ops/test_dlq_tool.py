"""`avtal dlq` on the real stack: find what billing refused, read it, replay it once its cause is fixed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from avtal_common import topics
from avtal_common.dlq import DeadLetter, read_dead_letters
from avtal_common.settings import CommonSettings
from avtal_testing.api import eventually
from avtal_testing.contracts import billing_schedule, contract_state
from avtal_testing.kafka import envelope_json, header, publish, read_all
from avtal_testing.stack import ROOT, StackInfo


async def _publish_contract(
    stack: StackInfo, contract_id: uuid.UUID, event_id: uuid.UUID, **dates: str
) -> None:
    body = envelope_json(
        topics.CONTRACT_STATE, str(contract_id), contract_state(contract_id, **dates), event_id=event_id
    )
    headers = {
        "event_id": str(event_id),
        "event_type": topics.CONTRACT_STATE,
        "x-correlation-id": "dlq-tool",
    }
    await publish(
        stack.kafka_bootstrap_servers,
        topics.CONTRACT_STATE,
        body,
        key=str(contract_id).encode(),
        headers=headers,
    )


def _avtal(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "avtal_stack.cli", "dlq", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _next_to_avtal_up(stack: StackInfo) -> dict[str, str]:
    """The environment of an SRE's shell beside `avtal up`: no Kafka address, only the stack's home."""
    env = {k: v for k, v in os.environ.items() if k != "AVTAL_KAFKA_BOOTSTRAP_SERVERS"}
    return env | {"AVTAL_STACK_HOME": str(stack.home)}


async def _dead_letter_of(stack: StackInfo, event_id: uuid.UUID) -> DeadLetter:
    common = CommonSettings(kafka_bootstrap_servers=stack.kafka_bootstrap_servers)
    for _ in range(120):
        letters = await read_dead_letters(common, topics.dlq(topics.CONTRACT_STATE))
        if found := [x for x in letters if x.event_id == str(event_id)]:
            return found[0]
        await asyncio.sleep(0.5)
    raise AssertionError(f"event {event_id} was never dead-lettered")


async def test_a_refused_contract_is_listed_and_shown_by_the_dlq_tool_beside_avtal_up(
    stack: StackInfo,
) -> None:
    contract_id, event_id = uuid.uuid4(), uuid.uuid4()
    await _publish_contract(stack, contract_id, event_id, start="2026-05-01", end="2026-04-01")
    letter = await _dead_letter_of(stack, event_id)
    env = _next_to_avtal_up(stack)

    overview = _avtal(env, "list")
    listed = _avtal(env, "list", topics.CONTRACT_STATE)
    shown = _avtal(env, "show", topics.CONTRACT_STATE, "--event-id", str(event_id))

    assert overview.returncode == 0, overview.stderr
    assert any(line.split()[0] == "contract.state.dlq" for line in overview.stdout.splitlines())
    row = next(line for line in listed.stdout.splitlines() if str(event_id) in line)
    assert f"{letter.partition}:{letter.offset}" in row and " billing " in row
    assert f"contract.state:{letter.header('dlq.original_partition')}:" in row
    assert "domain: end 2026-04-02 must be after start 2026-05-01" in row  # its schedule's end is exclusive
    assert shown.returncode == 0, shown.stderr
    assert (
        "  dlq.reason: domain: end 2026-04-02" in shown.stdout
        and "  x-correlation-id: dlq-tool" in shown.stdout
    )
    assert f'  "aggregate_id": "{contract_id}",' in shown.stdout  # the body, indented JSON


@dataclass
class Refusal:
    """Billing's store refuses one contract (a trigger raising, as a bug would) until `fix()`."""

    conn: asyncpg.Connection
    contract_id: uuid.UUID

    @property
    def trigger(self) -> str:
        return f"refuse_{self.contract_id.hex[:12]}"

    async def fix(self) -> None:
        await self.conn.execute(f"DROP TRIGGER IF EXISTS {self.trigger} ON contracts")


@pytest.fixture
async def refusing_billing(stack: StackInfo) -> AsyncIterator[Refusal]:
    refusal = Refusal(await asyncpg.connect(stack.database_url("billing")), uuid.uuid4())
    name = refusal.trigger
    await refusal.conn.execute(f"""
        CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.contract_id = '{refusal.contract_id}' THEN
                RAISE EXCEPTION 'bug: contract % refused', NEW.contract_no;
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON contracts FOR EACH ROW EXECUTE FUNCTION {name}();
    """)
    try:
        yield refusal
    finally:
        await refusal.fix()
        await refusal.conn.execute(f"DROP FUNCTION IF EXISTS {name}()")
        await refusal.conn.close()


@pytest.mark.timeout(180)
async def test_a_dead_letter_replayed_after_its_cause_is_fixed_takes_effect_once(
    stack: StackInfo, refusing_billing: Refusal
) -> None:
    conn, contract_id = refusing_billing.conn, refusing_billing.contract_id
    event_id = uuid.uuid4()
    await _publish_contract(stack, contract_id, event_id)
    letter = await _dead_letter_of(stack, event_id)
    assert letter.group == "billing" and "bug: contract" in letter.reason
    await refusing_billing.fix()  # the cause is fixed
    env = _next_to_avtal_up(stack)

    first = _avtal(env, "replay", topics.CONTRACT_STATE, "--event-id", str(event_id))
    assert first.returncode == 0, first.stderr
    assert "replaying [" in first.stderr and "1/1" in first.stderr
    assert eventually(
        lambda: billing_schedule(stack, contract_id), what="billing to apply the replayed event"
    )
    second = _avtal(env, "replay", topics.CONTRACT_STATE, "--event-id", str(event_id))
    assert second.returncode == 1 and f"refused {letter.ref}" in second.stderr and "--again" in second.stderr
    again = _avtal(env, "replay", topics.CONTRACT_STATE, "--event-id", str(event_id), "--again")
    assert again.returncode == 0, again.stderr
    await _consumed_by_billing(stack, _replayed_to(again.stdout))

    copies = [
        r for r in await read_all(stack.kafka_bootstrap_servers, topics.CONTRACT_STATE) if r.key == letter.key
    ]
    assert len(copies) == 3, (
        "the original, the first replay and the --again one; the refused one sent nothing"
    )
    replayed = copies[1]
    assert (
        header(replayed, "replayed_from") == letter.ref and header(replayed, "x-correlation-id") == "dlq-tool"
    )
    assert not [k for k, _ in replayed.headers if k.startswith("dlq.")]
    contracts = await conn.fetchval("SELECT count(*) FROM contracts WHERE contract_id = $1", contract_id)
    periods = await conn.fetchval("SELECT count(*) FROM billing_periods WHERE contract_id = $1", contract_id)
    claims = await conn.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", event_id)
    assert (contracts, periods, claims) == (1, 1, 1)


def _replayed_to(stdout: str) -> tuple[TopicPartition, int]:
    line = next(x for x in stdout.splitlines() if x.startswith("replayed "))
    topic, partition, offset = line.rsplit(" to ", 1)[1].rsplit(":", 2)
    return TopicPartition(topic, int(partition)), int(offset)


async def _consumed_by_billing(stack: StackInfo, where: tuple[TopicPartition, int]) -> None:
    """Wait for the fact: billing's group has committed past the replayed message."""
    tp, offset = where
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap_servers)
    await admin.start()
    try:
        for _ in range(240):
            committed = await admin.list_consumer_group_offsets("billing", partitions=[tp])
            if tp in committed and committed[tp].offset > offset:
                return
            await asyncio.sleep(0.25)
    finally:
        await admin.close()
    raise AssertionError(f"billing never consumed {tp.topic}:{tp.partition}:{offset}")
