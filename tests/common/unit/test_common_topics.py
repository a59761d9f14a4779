"""Topic layout: what each profile creates, and how an existing topic's difference is reported."""

from __future__ import annotations

import pytest

from avtal_common.topics import ObservedTopic, TopicLayout, differences, dlq, is_dlq, layout_for, undlq

WANTED = TopicLayout(partitions=3, replication_factor=3, min_insync_replicas=2)


def _seen(partitions: int = 3, replication: int = 3, min_isr: int | None = 2) -> ObservedTopic:
    return ObservedTopic("contract.created", partitions, replication, min_isr)


def test_the_kafka_profile_defaults_to_three_replicas_of_which_two_must_acknowledge() -> None:
    assert layout_for("kafka", 3, None, None) == TopicLayout(3, 3, 2)


def test_the_local_profile_defaults_to_one_replica() -> None:
    assert layout_for("local", 3, None, None) == TopicLayout(3, 1, 1)


def test_a_configured_replication_factor_wins_and_min_isr_follows_it() -> None:
    assert layout_for("kafka", 6, 1, None) == TopicLayout(6, 1, 1)
    assert layout_for("kafka", 6, 5, None) == TopicLayout(6, 5, 2)
    assert layout_for("local", 3, 3, 3) == TopicLayout(3, 3, 3)


def test_a_min_isr_above_the_replication_factor_is_refused_with_the_settings_to_change() -> None:
    with pytest.raises(
        ValueError, match="AVTAL_KAFKA_MIN_INSYNC_REPLICAS=3 exceeds the replication factor 2"
    ):
        layout_for("kafka", 3, 2, 3)


def test_min_isr_is_a_topic_config_at_creation() -> None:
    assert WANTED.configs() == {"min.insync.replicas": "2"}


def test_a_topic_as_wanted_has_no_differences() -> None:
    assert differences(WANTED, _seen()) == []


def test_too_few_partitions_name_the_alter_command_and_the_setting() -> None:
    [diff] = differences(WANTED, _seen(partitions=1))
    assert diff.startswith("1 partitions, 3 wanted")
    assert "kafka-topics.sh --alter --topic contract.created --partitions 3" in diff
    assert "AVTAL_KAFKA_PARTITIONS=1" in diff


def test_more_partitions_than_configured_ask_for_the_setting_since_they_cannot_be_removed() -> None:
    [diff] = differences(WANTED, _seen(partitions=6))
    assert "cannot be removed" in diff and "AVTAL_KAFKA_PARTITIONS=6" in diff


def test_a_different_replication_factor_names_the_reassignment() -> None:
    [diff] = differences(WANTED, _seen(replication=1, min_isr=1))[:1]
    assert diff.startswith("replication factor 1, 3 wanted")
    assert "kafka-reassign-partitions.sh" in diff and "AVTAL_KAFKA_REPLICATION_FACTOR=1" in diff


def test_a_different_min_isr_names_the_config_command() -> None:
    [diff] = differences(WANTED, _seen(min_isr=1))
    assert diff.startswith("min.insync.replicas 1, 2 wanted")
    assert "--entity-name contract.created --add-config min.insync.replicas=2" in diff


def test_a_min_isr_above_the_topics_replicas_says_no_write_can_succeed() -> None:
    diffs = differences(WANTED, _seen(replication=1, min_isr=2))
    assert any("min.insync.replicas 2 > 1 replicas (no write can succeed)" in d for d in diffs)
    assert diffs[-1].endswith("--add-config min.insync.replicas=1`")


def test_an_unreported_min_isr_is_no_difference() -> None:
    assert differences(WANTED, _seen(min_isr=None)) == []


def test_every_difference_is_reported_at_once() -> None:
    assert len(differences(WANTED, _seen(partitions=1, replication=1, min_isr=1))) == 3


def test_dead_letter_topics_are_named_and_recognised() -> None:
    assert dlq("contract.created") == "contract.created.dlq"
    assert is_dlq("contract.created.dlq") and not is_dlq("contract.created")
    assert undlq("contract.created.dlq") == "contract.created" == undlq("contract.created")


def test_a_min_isr_that_needs_more_replicas_says_to_add_them_first() -> None:
    diffs = differences(WANTED, _seen(replication=1, min_isr=1))
    assert diffs[-1].startswith("min.insync.replicas 1, 2 wanted: first add replicas (above), then")
    assert diffs[-1].endswith("min.insync.replicas=2`")
