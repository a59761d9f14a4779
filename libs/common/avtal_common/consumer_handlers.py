"""What a consumer is given: one handler per topic, and the policy for failures."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from avtal_common.events import Envelope
from avtal_common.settings import ServiceSettings

HandlerFn = Callable[[Any, Envelope[Any]], Awaitable[None]]  # (the service's unit of work, event)


@dataclass(frozen=True)
class EventHandler:
    topic: str
    payload: type[BaseModel]
    name: str  # the inbox key, e.g. "billing.on_contract_created"
    fn: HandlerFn  # runs inside the transaction, after the inbox claim


@dataclass(frozen=True)
class ConsumerPolicy:
    max_attempts: int = 5  # failures (or unfinished starts) before an event counts as poison
    handler_timeout_s: float = 30.0  # one handler call; past it the call is a failure (a bug)
    missing_wait_s: float = 10.0  # a NotFound is retried this long, then the event is parked
    parked_retry_s: float = 5.0  # how often parked events are tried again
    inbox_retention_s: float = 14 * 86400.0
    max_backoff_s: float = 5.0  # between retries of an outage (doubling from 0.2 s)
    bug_retry_s: float = 0.05  # between the bounded retries of a failing handler: no backoff needed

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> ConsumerPolicy:
        return cls(
            max_attempts=settings.consumer_max_attempts,
            handler_timeout_s=settings.consumer_handler_timeout_s,
            missing_wait_s=settings.consumer_missing_wait_s,
            parked_retry_s=settings.consumer_parked_retry_s,
            inbox_retention_s=settings.inbox_retention_days * 86400.0,
        )


async def apply_event(uow: Any, handler: EventHandler, envelope: Envelope[Any]) -> str:
    """Claim the event in the inbox, then run the handler; a second delivery changes nothing."""
    if not await uow.inbox.claim(envelope.event_id, handler.name, handler.topic):
        return "duplicate"
    await handler.fn(uow, envelope)
    return "handled"


def one_handler_per_topic(handlers: Sequence[EventHandler]) -> dict[str, EventHandler]:
    by_topic: dict[str, EventHandler] = {}
    for h in handlers:
        if h.topic in by_topic:
            raise ValueError(
                f"two handlers for topic {h.topic!r} ({by_topic[h.topic].name} and {h.name}): "
                "a consumer group has one handler per topic; call both from one handler"
            )
        by_topic[h.topic] = h
    return by_topic
