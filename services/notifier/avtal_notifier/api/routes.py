"""Notifier internal HTTP API: the delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime

from litestar import Controller, Request, get
from pydantic import BaseModel

from avtal_notifier.store.emails import EmailRepo


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


class EmailController(Controller):
    path = "/emails"

    @get("/")
    async def recent(self, request: Request, limit: int = 100) -> list[EmailOut]:
        async with request.app.state.runtime.db.acquire() as conn:
            return [EmailOut(**dict(r)) for r in await EmailRepo(conn).recent(min(limit, 1000))]
