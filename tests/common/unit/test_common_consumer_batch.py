"""The consumer's batch bookkeeping: offsets per partition; a pass's dead letters acknowledged together."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError

from avtal_common.consumer_dead_letters import PendingDeadLetters
from avtal_common.consumer_state import spans


def _record(topic: str, partition: int, offset: int, value: bytes = b"{}") -> Any:
    return ConsumerRecord(topic, partition, offset, 0, 0, b"k", value, None, 0, len(value), [])


def test_a_batch_covers_from_its_first_to_its_last_offset_in_each_partition() -> None:
    records = [
        _record("a", 0, 7),
        _record("a", 1, 3),
        _record("a", 0, 5),
        _record("b", 0, 9),
        _record("a", 0, 6),
    ]
    assert sorted(spans(records)) == [("a", 0, 5, 7), ("a", 1, 3, 3), ("b", 0, 9, 9)]


class FakeBroker:
    """Publishes without waiting; each record's ack is settled by the test (`acks`), or refused on send."""

    def __init__(self, refuse_on_send: bytes | None = None) -> None:
        self.sent: list[tuple[str, bytes, dict[str, str]]] = []
        self.acks: list[asyncio.Future[Any]] = []
        self._refuse = refuse_on_send

    async def publish(self, value: bytes, topic: str, *, key: Any, headers: Any, no_confirm: bool) -> Any:
        assert no_confirm, "a pass's dead letters are sent without waiting, one by one"
        if value == self._refuse:
            raise MessageSizeTooLargeError("too large")
        self.sent.append((topic, value, headers))
        self.acks.append(asyncio.get_running_loop().create_future())
        return self.acks[-1]


async def test_dead_letters_go_out_at_once_and_are_acknowledged_together() -> None:
    broker = FakeBroker()
    dead = PendingDeadLetters(broker, "billing")  # type: ignore[arg-type]  # a fake broker
    for offset in (4, 9):
        await dead.send(_record("contract.created", 2, offset, b"poison"), "handler failed 5 times", "h")
    assert [(t, h["dlq.original_offset"]) for t, _, h in broker.sent] == [
        ("contract.created.dlq", "4"),
        ("contract.created.dlq", "9"),
    ]
    waiting = asyncio.ensure_future(dead.acknowledged())
    await asyncio.sleep(0)
    assert not waiting.done(), "returns only once every dead letter is acknowledged"
    for ack in broker.acks:
        ack.set_result(None)
    assert await waiting == []


async def test_a_dead_letter_the_broker_refuses_for_good_is_returned_to_be_parked() -> None:
    broker = FakeBroker(refuse_on_send=b"huge")
    dead = PendingDeadLetters(broker, "billing")  # type: ignore[arg-type]  # a fake broker
    await dead.send(_record("t", 0, 1, b"huge"), "domain: no", "h.on_t")
    await dead.send(_record("t", 0, 2, b"small"), "domain: no", "h.on_t")
    broker.acks[0].set_exception(MessageSizeTooLargeError("too large"))
    refused = await dead.acknowledged()
    assert [(r.offset, reason, handler) for r, reason, handler, _ in refused] == [
        (1, "domain: no", "h.on_t"),
        (2, "domain: no", "h.on_t"),
    ]


async def test_an_unreachable_broker_fails_the_pass_so_its_offsets_are_not_committed() -> None:
    broker = FakeBroker()
    dead = PendingDeadLetters(broker, "billing")  # type: ignore[arg-type]  # a fake broker
    await dead.send(_record("t", 0, 1), "handler failed 5 times", "h")
    broker.acks[0].set_exception(KafkaConnectionError("no broker"))
    with pytest.raises(KafkaConnectionError):
        await dead.acknowledged()
