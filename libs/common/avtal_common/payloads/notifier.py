"""Events the notifier service publishes."""

from __future__ import annotations

import uuid

from avtal_common.events import Payload


class NotificationSent(Payload):
    notification_id: uuid.UUID
    kind: str
    recipient: str
    subject: str
    related_event_id: uuid.UUID
