"""Hand-written fakes of the plumbing every unit of work has: outbox, inbox, commit and rollback.

A service's fake unit of work subclasses `FakeUnitOfWork` and adds in-memory repositories in
`bind_repositories`, exactly where the real one builds its asyncpg repositories. Handlers cannot tell.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from pydantic import BaseModel

from avtal_common.consumer import EventHandler, apply_event
from avtal_common.events import Envelope


@dataclass(frozen=True)
class Emitted:
    topic: str
    aggregate_id: str
    data: BaseModel
    version: int


class FakeOutbox:
    def __init__(self) -> None:
        self.events: list[Emitted] = []

    async def add(
        self, topic: str, aggregate_id: str | uuid.UUID, data: BaseModel, version: int = 1
    ) -> Emitted:
        event = Emitted(topic, str(aggregate_id), data, version)
        self.events.append(event)
        return event


class FakeInbox:
    def __init__(self) -> None:
        self.claims: set[tuple[uuid.UUID, str]] = set()

    async def claim(self, event_id: uuid.UUID, handler: str, topic: str) -> bool:
        if (event_id, handler) in self.claims:
            return False
        self.claims.add((event_id, handler))
        return True


class FakeUnitOfWork:
    """Commits by keeping what the block wrote; an exception rolls the outbox and inbox back.

    Repositories of subclasses should snapshot and restore their own state in `snapshot`/`restore`
    so a refused command leaves nothing behind, as a real rollback would."""

    producer = "test"

    def __init__(self) -> None:
        self.outbox = FakeOutbox()
        self.inbox = FakeInbox()
        self.commits = 0
        self.rollbacks = 0
        self.bind_repositories()

    def bind_repositories(self) -> None:
        """Subclasses create their in-memory repositories here."""

    def snapshot(self) -> Any:
        return None

    def restore(self, state: Any) -> None:
        """Subclasses put their repositories back to `state` (taken by `snapshot`)."""

    async def emit(
        self, topic: str, aggregate_id: str | uuid.UUID, data: BaseModel, version: int = 1
    ) -> Emitted:
        return await self.outbox.add(topic, aggregate_id, data, version)

    async def __aenter__(self) -> Self:
        self._saved = (list(self.outbox.events), set(self.inbox.claims), self.snapshot())
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.commits += 1
            return
        self.rollbacks += 1
        events, claims, state = self._saved
        self.outbox.events[:] = events
        self.inbox.claims = claims
        self.restore(state)


async def deliver(uow: FakeUnitOfWork, handler: EventHandler, envelope: Envelope[Any]) -> str:
    """What the consumer does with one event: one transaction, inbox claim, handler."""
    async with uow:
        return await apply_event(uow, handler, envelope)
