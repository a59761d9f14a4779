"""Notifier background loops: deliver due e-mails, and queue due renewal reminders."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime

from avtal_common.logging import bind_correlation_id, get_logger
from avtal_common.loops import drain_forever
from avtal_common.runtime import Runtime
from avtal_notifier.adapters.documents import BillingDocuments, PdfFetcher
from avtal_notifier.adapters.smtp import Mailer, SmtpMailer
from avtal_notifier.handlers.emails import send_due
from avtal_notifier.handlers.reminders import queue_due_reminders
from avtal_notifier.settings import NotifierSettings
from avtal_notifier.store.uow import NotifierUnitOfWork

log = get_logger(__name__)


def _settings(rt: Runtime) -> NotifierSettings:
    assert isinstance(rt.settings, NotifierSettings)
    return rt.settings


def units_of_work(rt: Runtime) -> NotifierUnitOfWork:
    uow = rt.uow()
    assert isinstance(uow, NotifierUnitOfWork)
    return uow


async def mailer_loop(rt: Runtime) -> None:
    s = _settings(rt)
    mailer = SmtpMailer(
        s.smtp_host, s.smtp_port, s.smtp_username, s.smtp_password, s.smtp_starttls, s.smtp_timeout_s
    )
    token = rt.common.service_token
    assert token is not None, "build_app refuses to start without it"
    documents = BillingDocuments(s.billing_url, token.get_secret_value())
    try:
        await drain_forever(lambda: _send_pass(rt, s, mailer, documents), "notifier.send")
    finally:
        await documents.close()


async def _send_pass(rt: Runtime, s: NotifierSettings, mailer: Mailer, documents: PdfFetcher) -> int:
    async with units_of_work(rt) as uow:
        return await send_due(uow, mailer, documents, s.from_address, s.max_attempts)


UnitsOfWork = Callable[[], NotifierUnitOfWork]


async def remind(uows: UnitsOfWork, today: date, cadence_days: int) -> int:
    """Queue every renewal reminder due `today`, a batch per transaction; returns how many."""
    total = 0
    while True:
        async with uows() as uow:
            n = await queue_due_reminders(uow, today, cadence_days)
        total += n
        if n == 0:
            return total


async def reminder_loop(rt: Runtime) -> None:
    """Every `reminder_every_s`, the reminders due today (UTC); at start too, catching up after a stop."""
    while True:
        bind_correlation_id(None)
        try:
            n = await remind(
                lambda: units_of_work(rt), datetime.now(UTC).date(), _settings(rt).renewal_reminder_days
            )
            if n:
                log.info("notifier.reminders_queued", reminders=n)
        except Exception as exc:  # noqa: BLE001 - tried again on the next pass
            log.warning("notifier.reminders_failed", error=repr(exc))
        await asyncio.sleep(_settings(rt).reminder_every_s)
