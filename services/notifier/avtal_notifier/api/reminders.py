"""Notifier internal HTTP API: renewal reminders (run them for a day; a contract's terms)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from litestar import Controller, get, post
from pydantic import BaseModel

from avtal_notifier.domain.reminders import RenewalTerm, next_reminder_on
from avtal_notifier.settings import NotifierSettings
from avtal_notifier.store.uow import NotifierUnitOfWork
from avtal_notifier.workers import UnitsOfWork, remind


class RemindersOut(BaseModel):
    today: date
    reminded: int


class RenewalTermOut(BaseModel):
    contract_id: uuid.UUID
    term_end: date
    contract_no: str
    first_notice_on: date
    reminders_sent: int
    auto_renew: bool
    stopped: str | None
    next_reminder_on: date | None


class ReminderController(Controller):
    path = "/reminders"

    @post("/run", status_code=200)
    async def run(
        self, uows: UnitsOfWork, settings: NotifierSettings, today: date | None = None
    ) -> RemindersOut:
        """Queue the renewal reminders due `today` (default: today, UTC; the loop does this by itself)."""
        day = today or datetime.now(UTC).date()
        return RemindersOut(today=day, reminded=await remind(uows, day, settings.renewal_reminder_days))

    @get("/{contract_id:uuid}")
    async def terms(
        self, uow: NotifierUnitOfWork, settings: NotifierSettings, contract_id: uuid.UUID
    ) -> list[RenewalTermOut]:
        async with uow:
            found = await uow.reminders.of_contract(contract_id)
        return [_out(t, settings.renewal_reminder_days) for t in found]


def _out(t: RenewalTerm, cadence: int) -> RenewalTermOut:
    nxt = None if t.stopped or t.auto_renew else next_reminder_on(t, cadence)
    return RenewalTermOut(
        contract_id=t.contract_id, term_end=t.term_end, contract_no=t.contract_no,
        first_notice_on=t.first_notice_on, reminders_sent=t.reminders_sent, auto_renew=t.auto_renew,
        stopped=t.stopped, next_reminder_on=nxt if nxt is None or nxt < t.term_end else None,
    )  # fmt: skip
