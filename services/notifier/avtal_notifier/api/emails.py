"""Notifier internal HTTP API: the delivery log."""

from __future__ import annotations

from litestar import Controller, get

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
        )


class EmailController(Controller):
    path = "/emails"

    @get("/")
    async def recent(
        self,
        uow: NotifierUnitOfWork,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[EmailOut]:
        """The newest e-mails first."""
        async with uow:
            found, total = await uow.emails.list(limit, offset), await uow.emails.count()
        return Page[EmailOut](items=[EmailOut.of(e) for e in found], total=total, limit=limit, offset=offset)
