"""Notifier use cases: compose e-mails from events; deliver them with retries. Each runs inside the
caller's unit of work."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import make_msgid

from jinja2 import Environment, PackageLoader

from avtal_common.events import Envelope
from avtal_common.logging import bind_correlation_id
from avtal_common.payloads.billing import InvoiceGenerated
from avtal_common.payloads.notifier import NotificationSent
from avtal_common.topics import NOTIFICATION_FAILED, NOTIFICATION_SENT
from avtal_notifier.adapters.documents import PdfFetcher
from avtal_notifier.adapters.smtp import Mailer
from avtal_notifier.domain.emails import Email, gives_up, locale_of, retry_delay
from avtal_notifier.store.uow import NotifierUnitOfWork

_templates = Environment(loader=PackageLoader("avtal_notifier", "templates"), autoescape=False)  # noqa: S701 - plain-text e-mail bodies, not HTML


def compose(template: str, locale: str, **values: object) -> tuple[str, str]:
    text = _templates.get_template(f"{template}_{locale_of(locale)}.txt").render(**values)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


async def on_invoice_generated(uow: NotifierUnitOfWork, event: Envelope[InvoiceGenerated]) -> None:
    """Queue the invoice e-mail with its PDF; the mailer loop sends it."""
    inv = event.data
    subject, body = compose("invoice", inv.locale, e=inv)
    email = Email(
        email_id=uuid.uuid4(),
        cause_event_id=event.event_id,
        kind="invoice",
        recipient=inv.customer_email,
        subject=subject,
        body_text=body,
        attachment_name=f"{inv.invoice_no}.pdf",
        attachment_path=inv.pdf_path,
        attachment_sha256=inv.pdf_sha256,
        correlation_id=event.correlation_id,
    )
    await uow.emails.add(email)


async def send_due(
    uow: NotifierUnitOfWork,
    mailer: Mailer,
    documents: PdfFetcher,
    sender: str,
    max_attempts: int,
    limit: int = 10,
) -> int:
    """Send the e-mails that are due; a failure is retried later, then given up and published."""
    due = await uow.emails.claim_due(limit)
    for email in due:
        bind_correlation_id(email.correlation_id)  # the invoice's, on to notification.sent
        try:
            await mailer.send(await _message(email, documents, sender))
        except Exception as exc:  # noqa: BLE001 - recorded and retried with backoff
            await _failed_attempt(uow, email, repr(exc), max_attempts)
            continue
        await uow.emails.mark_sent(email.email_id)
        await uow.emit(NOTIFICATION_SENT, email.email_id, _fact(email))
    return len(due)


async def _failed_attempt(uow: NotifierUnitOfWork, email: Email, error: str, max_attempts: int) -> None:
    attempts = email.attempts + 1
    if gives_up(attempts, max_attempts):
        await uow.emails.mark_failed(email.email_id, error)
        await uow.emit(NOTIFICATION_FAILED, email.email_id, _fact(email))
    else:
        await uow.emails.mark_retry(email.email_id, error, retry_delay(attempts))


async def _message(email: Email, documents: PdfFetcher, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, email.recipient, email.subject
    # A stable Message-ID lets a receiver drop the duplicate of a resend after a crash.
    msg["Message-ID"] = make_msgid(idstring=email.email_id.hex, domain="avtal.local")
    msg.set_content(email.body_text)
    if email.attachment_path and email.attachment_sha256:
        pdf = await documents.fetch(email.attachment_path, email.attachment_sha256)
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=email.attachment_name)
    return msg


def _fact(email: Email) -> NotificationSent:
    return NotificationSent(
        notification_id=email.email_id,
        kind=email.kind,
        recipient=email.recipient,
        subject=email.subject,
        related_event_id=email.cause_event_id,
    )
