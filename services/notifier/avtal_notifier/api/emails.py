"""Notifier internal HTTP API: the delivery log."""

from __future__ import annotations

import uuid

from litestar import Controller, get
from litestar.params import Parameter

from avtal_common.api import responses
from avtal_common.api.pagination import Limit, Offset, Page
from avtal_notifier.domain.emails import Email
from avtal_notifier.store.uow import NotifierUnitOfWork


class EmailOut(responses.Email):
    """A delivery log entry (the fields are the public API's)."""

    @classmethod
    def of(cls, e: Email) -> EmailOut:
        return cls(
            email_id=e.email_id,
            kind=e.kind,
            recipient=e.recipient,
            subject=e.subject,
            status=e.status,
            attempts=e.attempts,
            last_error=e.last_error,
            sent_at=e.sent_at,
            created_at=e.created_at,
            customer_id=e.customer_id,
        )


class EmailController(Controller):
    path = "/emails"

    @get("/")
    async def recent(
        self,
        uow: NotifierUnitOfWork,
        limit: Limit = 100,
        offset: Offset = 0,
        status: str | None = Parameter(default=None, pattern="^(pending|sent|failed)$"),
        customer_id: uuid.UUID | None = None,
    ) -> Page[EmailOut]:
        """The newest e-mails first; `status` and `customer_id` narrow the list."""
        async with uow:
            found = await uow.emails.list(limit, offset, status, customer_id)
            total = await uow.emails.count(status, customer_id)
        return Page[EmailOut](items=[EmailOut.of(e) for e in found], total=total, limit=limit, offset=offset)
