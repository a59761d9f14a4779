"""The event envelope every Avtal topic carries, and helpers to build and parse it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

P = TypeVar("P", bound=BaseModel)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Payload(BaseModel):
    """Base of every event payload: frozen, additive changes only (a breaking change is a new topic)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Envelope(BaseModel, Generic[P]):
    """What travels on every topic: identity, causality and time around one payload."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    event_type: str
    schema_version: int = 1
    occurred_at: datetime = Field(default_factory=utcnow)
    producer: str
    correlation_id: str | None = None
    causation_id: uuid.UUID | None = None
    aggregate_id: str
    # Monotonic per aggregate: consumers ignore stale or duplicate versions.
    version: int = 1
    data: P


def parse_envelope(raw: bytes | str, payload_type: type[P]) -> Envelope[P]:
    """Parse and validate one message; raises pydantic.ValidationError on a malformed one."""
    return Envelope[payload_type].model_validate_json(raw)  # type: ignore[valid-type]  # parametrised at run time


def envelope_headers(env: Envelope[Any]) -> dict[str, str]:
    headers = {"event_id": str(env.event_id), "event_type": env.event_type}
    if env.correlation_id:
        headers["x-correlation-id"] = env.correlation_id
    return headers
