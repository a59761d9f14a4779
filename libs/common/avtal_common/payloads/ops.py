"""Events the operations tooling (`avtal dlq`) publishes."""

from __future__ import annotations

from avtal_common.events import Payload


class DeadLetterReplayed(Payload):
    """One dead letter republished to its topic (key: `dead_letter`, `<dlq topic>:<partition>:<offset>`)."""

    dead_letter: str
    event_id: str | None
    replayed_to: str  # `<topic>:<partition>:<offset>` of the republished message
    replayed_by: str  # user@host of whoever ran the replay
