"""Notifier internal HTTP API: the delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter
from pydantic import BaseModel

from avtal_common.api.pagination import MAX_LIMIT, Page
from avtal_notifier.domain.emails import Email
from avtal_notifier.store.uow import NotifierUnitOfWork


class EmailOut(BaseModel):
    email_id: uuid.UUID
    kind: str
    recipient: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime

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
        limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT)] = 100,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> Page[EmailOut]:
        """The newest e-mails first."""
        async with uow:
            found, total = await uow.emails.list(limit, offset), await uow.emails.count()
        return Page[EmailOut](items=[EmailOut.of(e) for e in found], total=total, limit=limit, offset=offset)
