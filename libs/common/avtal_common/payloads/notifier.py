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


class NotificationFailed(NotificationSent):
    """`notification.failed`: an e-mail was given up: refused for good by the mail server (`permanent`)
    or still undelivered after the last attempt; `error` is the last reason."""

    error: str = ""
    permanent: bool = False
    attempts: int = 0
