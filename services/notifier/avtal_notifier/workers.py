"""Notifier background loop: deliver due e-mails."""

from __future__ import annotations

import asyncio

from avtal_common.logging import get_logger
from avtal_common.runtime import Runtime
from avtal_notifier.adapters.smtp import BillingDocuments, SmtpMailer
from avtal_notifier.handlers.notifications import send_due
from avtal_notifier.settings import NotifierSettings

log = get_logger(__name__)


async def mailer_loop(rt: Runtime) -> None:
    s = rt.settings
    assert isinstance(s, NotifierSettings)
    mailer = SmtpMailer(s.smtp_host, s.smtp_port, s.smtp_username, s.smtp_password, s.smtp_starttls,
                        s.smtp_timeout_s)
    documents = BillingDocuments(s.billing_url)
    try:
        while True:
            try:
                sent = await send_due(rt.db, mailer, documents, s.from_address, s.max_attempts)
            except Exception as exc:  # noqa: BLE001 - retried on the next pass
                log.warning("notifier.send_failed", error=repr(exc))
                sent = 0
            if not sent:
                await asyncio.sleep(0.5)
    finally:
        await documents.close()
