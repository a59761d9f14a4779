"""A relay round: a bad row is isolated, the rows of its key wait behind it, everything else goes."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError, NotEnoughReplicasError

from avtal_common.outbox_publish import Row, UnknownTopicError, publish_rows


class FakePublisher:
    """Acknowledges at once, except: `refuse` raises on send, `fail` fails the ack, `hang` never acks."""

    def __init__(
        self,
        refuse: dict[int, Exception] | None = None,
        fail: dict[int, Exception] | None = None,
        hang: set[int] | None = None,
    ) -> None:
        self.refuse, self.fail, self.hang = refuse or {}, fail or {}, hang or set()
        self.sent: list[int] = []

    async def send(self, message: bytes, topic: str, *, key: bytes, headers: dict[str, str]) -> Any:
        row_id = int(message)
        if row_id in self.refuse:
            raise self.refuse[row_id]
        self.sent.append(row_id)
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if row_id in self.fail:
            ack.set_exception(self.fail[row_id])
        elif row_id not in self.hang:
            ack.set_result(None)
        return ack


def rows(*keys: str) -> list[Row]:
    """Row i+1 has key keys[i]; its payload is its id, so the fake knows which row it sends."""
    return [Row(i, "t", k, str(i).encode(), {}) for i, k in enumerate(keys, start=1)]


async def test_every_row_is_sent_in_id_order_when_nothing_fails() -> None:
    publisher = FakePublisher()
    out = await publish_rows(publisher, rows("a", "b", "a", "c"), timeout_s=1)
    assert publisher.sent == [1, 2, 3, 4] and out.sent == [1, 2, 3, 4]
    assert out.ok and not out.failed and not out.quarantined


async def test_a_row_too_large_is_quarantined_and_only_its_key_waits_behind_it() -> None:
    publisher = FakePublisher(refuse={2: MessageSizeTooLargeError("2 MB")})
    out = await publish_rows(publisher, rows("a", "a", "b", "a", "c"), timeout_s=1)
    assert [i for i, _ in out.quarantined] == [2]
    assert "MessageSizeTooLargeError" in out.quarantined[0][1]
    assert publisher.sent == [1, 3, 5]  # row 4 (key a) is never sent before row 2
    assert out.sent == [1, 3, 5] and out.ok


async def test_an_unknown_topic_is_the_rows_fault_and_is_quarantined() -> None:
    out = await publish_rows(FakePublisher(refuse={1: UnknownTopicError("no such topic")}), rows("a", "b"), 1)
    assert [i for i, _ in out.quarantined] == [1] and out.sent == [2]


async def test_an_unreachable_broker_stops_the_round_without_quarantining_anything() -> None:
    publisher = FakePublisher(refuse={2: KafkaConnectionError("refused")})
    out = await publish_rows(publisher, rows("a", "b", "c"), timeout_s=1)
    assert out.sent == [1] and [i for i, _ in out.failed] == [2]
    assert not out.quarantined and not out.ok
    assert publisher.sent == [1]  # row 3 is not tried behind an outage


async def test_a_later_row_acknowledged_after_its_keys_failed_row_is_not_counted_as_sent() -> None:
    publisher = FakePublisher(fail={1: NotEnoughReplicasError()})
    out = await publish_rows(publisher, rows("a", "b", "a"), timeout_s=1)
    assert [i for i, _ in out.failed] == [1]
    assert out.sent == [2]  # row 3 stays unsent: it goes again after row 1, in order


async def test_acks_missing_at_the_deadline_fail_the_round_and_replace_the_producer() -> None:
    started = asyncio.get_running_loop().time()
    out = await publish_rows(FakePublisher(hang={2}), rows("a", "b", "b", "c"), timeout_s=0.3)
    assert asyncio.get_running_loop().time() - started < 1.0
    assert out.sent == [1, 4] and [i for i, _ in out.failed] == [2]  # row 3 waits behind row 2
    assert out.reset_producer and not out.ok


async def test_a_send_that_hangs_is_cut_by_the_rounds_deadline() -> None:
    class Stuck(FakePublisher):
        async def send(self, message: bytes, topic: str, *, key: bytes, headers: dict[str, str]) -> Any:
            if int(message) == 2:
                await asyncio.sleep(60)
            return await super().send(message, topic, key=key, headers=headers)

    out = await publish_rows(Stuck(), rows("a", "b", "c"), timeout_s=0.3)
    assert out.sent == [1] and out.reset_producer and not out.ok
