"""What a consumer does with a failure, decided by its cause: wait it out, park, retry, or dead-letter."""

from __future__ import annotations

import enum
import errno

import asyncpg
from aiokafka.errors import KafkaError, KafkaTimeoutError, ProducerClosed
from pydantic import ValidationError

from avtal_common.errors import DomainError, NotFound, Unavailable


class Fault(enum.Enum):
    INFRASTRUCTURE = "infrastructure"  # the database or broker is unwell: retry for as long as it lasts
    MISSING = "missing"  # what the event depends on has not arrived yet: retry a while, then park
    REFUSED = "refused"  # no retry can fix it (a rule, a schema): dead-letter at once
    BUG = "bug"  # unknown: retry a few times; deterministic after N attempts, then dead-letter


class HandlerTimeout(Exception):
    """A handler ran past its deadline: treated as a bug (it may hang forever), not as an outage."""


# SQLSTATEs of the server's state, not of the event: resources (53: disk full, out of memory, too many
# connections), read-only after failover, cancels and lock/idle timeouts, shutdown, connection loss,
# serialization failures and deadlocks, system/IO errors (58).
_INFRA_SQLSTATES = ("08", "53", "57", "58", "40001", "40P01", "25006", "25P03", "55P03", "55006", "XX001")
_INFRA_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.EPIPE,
    errno.ETIMEDOUT,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.ENETDOWN,
    errno.ENOSPC,
    errno.EAGAIN,
}


def classify(exc: BaseException) -> Fault:
    """One place that decides; the cause chain counts (a repository may wrap the driver's error)."""
    if isinstance(exc, HandlerTimeout):
        return Fault.BUG  # its cause is our own deadline, not a server's
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, Unavailable) or _is_infrastructure(seen):
            return Fault.INFRASTRUCTURE
        seen = seen.__cause__
    if isinstance(exc, NotFound):
        return Fault.MISSING
    if isinstance(exc, DomainError | ValidationError):
        return Fault.REFUSED
    return Fault.BUG


def _is_infrastructure(exc: BaseException) -> bool:
    if isinstance(exc, asyncpg.PostgresError):
        return (exc.sqlstate or "").startswith(_INFRA_SQLSTATES)
    if isinstance(exc, asyncpg.InterfaceError | TimeoutError | ConnectionError):
        return True  # asyncpg's connection loss and closed pools; timeouts waiting on a server
    if isinstance(exc, KafkaTimeoutError | ProducerClosed):
        return True
    if isinstance(exc, KafkaError):
        return bool(exc.retriable)  # aiokafka says which: not leader, no brokers, connection …
    if isinstance(exc, OSError):
        return exc.errno in _INFRA_ERRNOS  # a missing file or a permission is not an outage
    return False
