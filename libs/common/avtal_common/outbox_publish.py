"""One relay round's publishing: rows in id order, a bad row isolated, a key never published out of order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiokafka.errors import (
    InvalidTopicError,
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    TopicAuthorizationFailedError,
)


class UnknownTopicError(KafkaError):  # type: ignore[misc]  # aiokafka ships no type hints
    """The broker answered, and it has no such topic (topics are created at start, never on send)."""

    retriable = False


# Errors of the row itself: no retry, no new producer can send it. The row is quarantined.
ROW_POISON: tuple[type[BaseException], ...] = (
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    InvalidTopicError,
    TopicAuthorizationFailedError,
    UnknownTopicError,
)


class Publisher(Protocol):
    async def send(
        self, message: bytes, topic: str, *, key: bytes, headers: dict[str, str]
    ) -> Awaitable[Any]:
        """Queue one message; the returned awaitable resolves when the broker acknowledged it."""


@dataclass(frozen=True)
class Row:
    id: int
    topic: str
    key: str
    payload: bytes
    headers: dict[str, str]


@dataclass
class Outcome:
    """What a round did: `sent` is marked published, `failed` and `quarantined` get the error recorded."""

    sent: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    quarantined: list[tuple[int, str]] = field(default_factory=list)
    # The producer must be replaced: acks missed the deadline, or it failed in a way no row explains.
    reset_producer: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed and not self.reset_producer


async def publish_rows(publisher: Publisher, rows: Sequence[Row], timeout_s: float) -> Outcome:
    """Send `rows` (id order) and wait for their acks, all within `timeout_s`.
    A row of a key whose earlier row failed in this round is not sent (it waits for the next round,
    behind that row); a row that was sent after its key's earlier row failed is not counted as sent."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    out, held = Outcome(), _Held()
    queued: list[tuple[Row, asyncio.Future[Any]]] = []
    try:
        async with asyncio.timeout_at(deadline):
            await _queue(publisher, rows, out, queued, held)
    except TimeoutError:
        out.reset_producer = True  # sending itself hung (metadata, a full buffer): the rest waits
    await _settle(queued, max(deadline - loop.time(), 0.0), out, held)
    return out


async def _queue(
    publisher: Publisher,
    rows: Sequence[Row],
    out: Outcome,
    queued: list[tuple[Row, asyncio.Future[Any]]],
    held: _Held,
) -> None:
    for row in rows:
        if held.blocks(row):
            continue
        try:
            queued.append((row, await _send(publisher, row)))
        except ROW_POISON as exc:
            held.add(row)
            out.quarantined.append((row.id, _describe(exc)))
        except Exception as exc:  # noqa: BLE001 - not this row's fault: stop the round, retry it later
            out.failed.append((row.id, _describe(exc)))
            out.reset_producer = not _retriable(exc)
            return


async def _send(publisher: Publisher, row: Row) -> asyncio.Future[Any]:
    ack = asyncio.ensure_future(
        await publisher.send(row.payload, row.topic, key=row.key.encode(), headers=row.headers)
    )
    ack.add_done_callback(_retrieve)  # one given up at the deadline fails later, when nobody awaits it
    return ack


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


async def _settle(
    queued: list[tuple[Row, asyncio.Future[Any]]], wait_s: float, out: Outcome, held: _Held
) -> None:
    """Read the acks in id order; after a key's first failure its later rows stay unsent."""
    if queued:
        await asyncio.wait([f for _, f in queued], timeout=wait_s)
    for row, fut in queued:
        if not fut.done():
            # Abandoned: the producer is replaced, so this send can never land behind its retry.
            out.reset_producer = True
            if not held.blocks(row):
                held.add(row)
                out.failed.append((row.id, "no acknowledgement within the relay round's deadline"))
            continue
        if held.blocks(row):
            continue  # maybe published, but behind its key's failed row: sent again after that row
        exc = fut.exception() if not fut.cancelled() else asyncio.CancelledError("send cancelled")
        if exc is None:
            out.sent.append(row.id)
            continue
        held.add(row)
        (out.quarantined if isinstance(exc, ROW_POISON) else out.failed).append((row.id, _describe(exc)))


class _Held:
    """Keys with a failed row this round, and the first such row: later rows of the key wait."""

    def __init__(self) -> None:
        self._first: dict[str, int] = {}

    def add(self, row: Row) -> None:
        self._first[row.key] = min(self._first.get(row.key, row.id), row.id)

    def blocks(self, row: Row) -> bool:
        return self._first.get(row.key, row.id) < row.id


def _retriable(exc: BaseException) -> bool:
    return not isinstance(exc, KafkaError) or bool(getattr(exc, "retriable", False))


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]
