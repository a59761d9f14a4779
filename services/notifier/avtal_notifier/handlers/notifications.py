"""Notifier use cases: compose e-mails from events; deliver them with retries."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import make_msgid

import asyncpg
from jinja2 import Environment, PackageLoader

from avtal_common.events import Envelope
from avtal_common.logging import bind_correlation_id
from avtal_common.payloads.billing import InvoiceGenerated
from avtal_common.payloads.notifier import NotificationSent
from avtal_common.topics import NOTIFICATION_FAILED, NOTIFICATION_SENT
from avtal_common.uow import Tx, unit_of_work
from avtal_notifier.adapters.smtp import DocumentStore, Mailer
from avtal_notifier.domain.emails import Email, locale_of, retry_delay
from avtal_notifier.store.emails import EmailRepo

_templates = Environment(loader=PackageLoader("avtal_notifier", "templates"), autoescape=False)  # noqa: S701 - plain-text e-mail bodies, not HTML


def compose(template: str, locale: str, **values: object) -> tuple[str, str]:
    text = _templates.get_template(f"{template}_{locale_of(locale)}.txt").render(**values)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


async def on_invoice_generated(tx: Tx, event: Envelope[InvoiceGenerated]) -> None:
    inv = event.data
    subject, body = compose("invoice", inv.locale, e=inv)
    await EmailRepo(tx.conn).add(
        Email(
            uuid.uuid4(),
            event.event_id,
            "invoice",
            inv.customer_email,
            subject,
            body,
            f"{inv.invoice_no}.pdf",
            inv.pdf_path,
            inv.pdf_sha256,
            event.correlation_id,
        )
    )


async def send_due(
    pool: asyncpg.Pool,
    mailer: Mailer,
    documents: DocumentStore,
    sender: str,
    max_attempts: int,
    limit: int = 10,
) -> int:
    async with unit_of_work(pool, "notifier") as tx:
        repo = EmailRepo(tx.conn)
        due = await repo.claim_due(limit)
        for email, attempts in due:
            bind_correlation_id(email.correlation_id)  # the invoice's, on to notification.sent
            try:
                await mailer.send(await _message(email, documents, sender))
            except Exception as exc:  # noqa: BLE001 - recorded and retried with backoff
                if attempts + 1 >= max_attempts:
                    await repo.mark_failed(email.email_id, repr(exc))
                    await tx.emit(NOTIFICATION_FAILED, email.email_id, _fact(email))
                else:
                    await repo.mark_retry(email.email_id, repr(exc), retry_delay(attempts + 1))
                continue
            await repo.mark_sent(email.email_id)
            await tx.emit(NOTIFICATION_SENT, email.email_id, _fact(email))
        return len(due)


async def _message(email: Email, documents: DocumentStore, sender: str) -> EmailMessage:
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
