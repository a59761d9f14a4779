"""A consumer's set-up: one handler per topic, its policy from settings, lag gauges that tell the truth."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka import TopicPartition
from prometheus_client import REGISTRY

from avtal_common.consumer import ConsumerPolicy, EventHandler
from avtal_common.consumer_handlers import one_handler_per_topic
from avtal_common.events import Payload
from avtal_common.lag import partition_lags, update_lag_gauges
from avtal_common.settings import ServiceSettings


class Ping(Payload):
    seq: int


async def _noop(uow: Any, event: Any) -> None:
    return None


def test_a_second_handler_for_the_same_topic_is_refused_at_start_naming_both() -> None:
    first = EventHandler("contract.created", Ping, "billing.on_contract_created", _noop)
    second = EventHandler("contract.created", Ping, "billing.on_contract_created_again", _noop)
    with pytest.raises(ValueError, match=r"on_contract_created.*on_contract_created_again"):
        one_handler_per_topic([first, second])


def test_handlers_for_different_topics_are_all_kept() -> None:
    a = EventHandler("contract.created", Ping, "x.a", _noop)
    b = EventHandler("contract.amended", Ping, "x.b", _noop)
    assert one_handler_per_topic([a, b]) == {"contract.created": a, "contract.amended": b}


def test_the_consumer_policy_comes_from_the_services_settings() -> None:
    settings = ServiceSettings(
        consumer_max_attempts=3,
        consumer_handler_timeout_s=7,
        consumer_missing_wait_s=2,
        inbox_retention_days=1,
    )
    policy = ConsumerPolicy.from_settings(settings)
    assert (policy.max_attempts, policy.handler_timeout_s, policy.missing_wait_s) == (3, 7.0, 2.0)
    assert policy.inbox_retention_s == 86400.0


class FakeKafka:
    """The four calls the lag collector makes on an aiokafka consumer."""

    def __init__(self, begin: dict[TopicPartition, int], end: dict[TopicPartition, int]) -> None:
        self.begin, self.end = begin, end
        self.commits: dict[TopicPartition, int | None] = {tp: None for tp in end}
        self.assigned = set(end)

    def assignment(self) -> set[TopicPartition]:
        return set(self.assigned)

    async def end_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: self.end[tp] for tp in tps}

    async def beginning_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: self.begin[tp] for tp in tps}

    async def committed(self, tp: TopicPartition) -> int | None:
        return self.commits[tp]


P0, P1 = TopicPartition("t.lag", 0), TopicPartition("t.lag", 1)


async def test_nothing_committed_yet_counts_from_the_logs_beginning_not_from_offset_zero() -> None:
    kafka = FakeKafka(begin={P0: 900, P1: 0}, end={P0: 1000, P1: 40})
    kafka.commits[P1] = 30
    assert await partition_lags(kafka, [P0, P1]) == {P0: 100, P1: 10}


def _lag(group: str, partition: int) -> float | None:
    labels = {"group": group, "topic": "t.lag", "partition": str(partition)}
    return REGISTRY.get_sample_value("avtal_consumer_lag_messages", labels)


async def test_the_lag_gauge_of_a_revoked_partition_is_removed() -> None:
    kafka = FakeKafka(begin={P0: 0, P1: 0}, end={P0: 5, P1: 7})
    shown = await update_lag_gauges("g-revoke", kafka, set())
    assert (_lag("g-revoke", 0), _lag("g-revoke", 1)) == (5, 7)
    kafka.assigned = {P0}
    await update_lag_gauges("g-revoke", kafka, shown)
    assert (_lag("g-revoke", 0), _lag("g-revoke", 1)) == (5, None)
