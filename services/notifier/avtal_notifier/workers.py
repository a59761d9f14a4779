"""Notifier background loop: deliver due e-mails."""

from __future__ import annotations

from avtal_common.loops import drain_forever
from avtal_common.runtime import Runtime
from avtal_notifier.adapters.smtp import BillingDocuments, SmtpMailer
from avtal_notifier.handlers.notifications import send_due
from avtal_notifier.settings import NotifierSettings


async def mailer_loop(rt: Runtime) -> None:
    s = rt.settings
    assert isinstance(s, NotifierSettings)
    mailer = SmtpMailer(
        s.smtp_host, s.smtp_port, s.smtp_username, s.smtp_password, s.smtp_starttls, s.smtp_timeout_s
    )
    token = rt.common.service_token
    assert token is not None, "build_app refuses to start without it"
    documents = BillingDocuments(s.billing_url, token.get_secret_value())
    try:
        await drain_forever(
            lambda: send_due(rt.db, mailer, documents, s.from_address, s.max_attempts), "notifier.send"
        )
    finally:
        await documents.close()
