"""A consumer's failures are classified by cause: outages wait, refusals dead-letter, the rest retries."""

from __future__ import annotations

import errno

import asyncpg
import pytest
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    NotLeaderForPartitionError,
    TopicAuthorizationFailedError,
)
from pydantic import BaseModel, ValidationError

from avtal_common.consumer_errors import Fault, HandlerTimeout, classify
from avtal_common.errors import Conflict, DomainError, NotFound


def _postgres(sqlstate: str) -> asyncpg.PostgresError:
    """The error asyncpg raises for `sqlstate` (its own subclass, as the server's message would give)."""
    cls = asyncpg.PostgresError.get_message_class_for_sqlstate(sqlstate)
    exc = cls("injected")
    exc.sqlstate = sqlstate  # the class carries it; set it too for codes asyncpg has no class for
    return exc


@pytest.mark.parametrize(
    "sqlstate",
    [
        "53100",  # disk full
        "53200",  # out of memory
        "53300",  # too many connections
        "25006",  # read-only transaction (a replica promoted, or the primary demoted)
        "57014",  # statement timeout / cancelled
        "55P03",  # lock not available (lock_timeout)
        "25P03",  # idle-in-transaction session timeout
        "57P01",  # admin shutdown
        "57P02",  # crash shutdown
        "57P03",  # cannot connect now
        "08006",  # connection failure
        "08003",  # connection does not exist
        "40001",  # serialization failure
        "40P01",  # deadlock
    ],
)
def test_a_database_outage_is_infrastructure_whatever_its_sqlstate(sqlstate: str) -> None:
    assert classify(_postgres(sqlstate)) is Fault.INFRASTRUCTURE


@pytest.mark.parametrize(
    "sqlstate",
    [
        "42P01",  # undefined table: a schema the code does not match
        "42703",  # undefined column
        "23505",  # unique violation
        "22001",  # value too long
        "25P02",  # in failed transaction: a handler swallowed an error
        "P0001",  # raise_exception from a trigger or function
    ],
)
def test_a_database_error_about_the_statement_is_not_an_outage(sqlstate: str) -> None:
    assert classify(_postgres(sqlstate)) is Fault.BUG


def test_a_lost_connection_and_timeouts_waiting_on_a_server_are_infrastructure() -> None:
    assert classify(asyncpg.InterfaceError("connection is closed")) is Fault.INFRASTRUCTURE
    assert classify(asyncpg.exceptions.ConnectionDoesNotExistError("gone")) is Fault.INFRASTRUCTURE
    assert classify(TimeoutError()) is Fault.INFRASTRUCTURE
    assert classify(ConnectionResetError("reset by peer")) is Fault.INFRASTRUCTURE
    assert classify(OSError(errno.ENOSPC, "No space left on device")) is Fault.INFRASTRUCTURE


def test_an_os_error_that_no_retry_can_fix_is_not_infrastructure() -> None:
    assert classify(FileNotFoundError(errno.ENOENT, "templates/invoice.html")) is Fault.BUG
    assert classify(PermissionError(errno.EACCES, "/var/lib/avtal/pdfs")) is Fault.BUG
    assert classify(IsADirectoryError(errno.EISDIR, "x")) is Fault.BUG


def test_kafka_errors_follow_aiokafkas_retriable_flag() -> None:
    assert classify(KafkaConnectionError()) is Fault.INFRASTRUCTURE
    assert classify(NotLeaderForPartitionError()) is Fault.INFRASTRUCTURE
    assert classify(KafkaTimeoutError()) is Fault.INFRASTRUCTURE  # a publish that timed out waiting
    assert classify(MessageSizeTooLargeError()) is Fault.BUG  # too large for the topic, every time
    assert classify(TopicAuthorizationFailedError()) is Fault.BUG


def test_a_domain_refusal_is_dead_lettered_and_a_missing_dependency_is_waited_for() -> None:
    assert classify(DomainError("end before start")) is Fault.REFUSED
    assert classify(Conflict("stale version")) is Fault.REFUSED
    assert classify(NotFound("contract c-1 (yet)")) is Fault.MISSING


def test_a_validation_error_raised_in_a_handler_is_refused() -> None:
    class Amount(BaseModel):
        value: int

    with pytest.raises(ValidationError) as caught:
        Amount.model_validate({"value": "many"})
    assert classify(caught.value) is Fault.REFUSED


def test_a_handler_over_its_deadline_is_a_bug_not_an_outage() -> None:
    """It wraps asyncio's TimeoutError, which alone would read as a server not answering."""
    try:
        raise HandlerTimeout("billing.on_contract_created ran over 30 s") from TimeoutError()
    except HandlerTimeout as exc:
        assert classify(exc) is Fault.BUG


def test_an_outage_wrapped_by_a_repository_is_still_an_outage() -> None:
    try:
        raise RuntimeError("could not save the schedule") from _postgres("53100")
    except RuntimeError as exc:
        assert classify(exc) is Fault.INFRASTRUCTURE


def test_an_unknown_exception_is_a_bug_retried_then_dead_lettered() -> None:
    assert classify(KeyError("seq")) is Fault.BUG
    assert classify(ZeroDivisionError()) is Fault.BUG
