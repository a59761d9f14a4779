"""Notifier use cases: queue a notice for its recipients; deliver due e-mails with retries. Each runs
inside the caller's unit of work."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from avtal_common.logging import bind_correlation_id
from avtal_common.payloads.notifier import NotificationFailed, NotificationSent
from avtal_common.topics import NOTIFICATION_FAILED, NOTIFICATION_SENT
from avtal_notifier.adapters.documents import PdfFetcher
from avtal_notifier.adapters.smtp import Mailer, PermanentFailure
from avtal_notifier.adapters.templates import Rendered
from avtal_notifier.domain.directory import Customer
from avtal_notifier.domain.emails import Email, gives_up, jittered, retry_delay
from avtal_notifier.domain.notices import recipients
from avtal_notifier.store.uow import NotifierUnitOfWork


@dataclass(frozen=True)
class Attachment:
    name: str
    path: str  # on billing, fetched by claim check when sending
    sha256: str


@dataclass(frozen=True)
class Notice:
    """One notice about one event, before it is addressed."""

    kind: str
    cause_event_id: uuid.UUID
    rendered: Rendered
    correlation_id: str | None = None
    attachment: Attachment | None = None


async def notify_customer(uow: NotifierUnitOfWork, customer: Customer, notice: Notice) -> int:
    """Queue `notice` to the addresses the customer chose for its kind; returns how many were queued
    (0: switched off, or queued already for this event)."""
    pref = await uow.preferences.get(customer.customer_id, notice.kind)
    return await _queue(uow, notice, recipients(customer.email, pref), customer.customer_id)


async def notify_staff(uow: NotifierUnitOfWork, staff: list[str], notice: Notice) -> int:
    return await _queue(uow, notice, staff, None)


async def _queue(uow: NotifierUnitOfWork, n: Notice, to: list[str], customer_id: uuid.UUID | None) -> int:
    a = n.attachment
    queued = 0
    for recipient in to:
        email = Email(
            uuid.uuid4(), n.cause_event_id, n.kind, recipient, n.rendered.subject, n.rendered.text,
            a.name if a else None, a.path if a else None, a.sha256 if a else None, n.correlation_id,
            n.rendered.html, customer_id,
        )  # fmt: skip
        queued += await uow.emails.add(email)
    return queued


async def send_due(
    uow: NotifierUnitOfWork,
    mailer: Mailer,
    documents: PdfFetcher,
    sender: str,
    max_attempts: int,
    limit: int = 10,
    draw: Callable[[], float] = random.random,
) -> int:
    """Send the e-mails that are due. A refusal for good fails the e-mail at once; any other failure is
    retried after a growing, jittered delay until `max_attempts`; a failure is published once."""
    due = await uow.emails.claim_due(limit)
    for email in due:
        bind_correlation_id(email.correlation_id)  # the cause's, on to notification.sent
        try:
            await mailer.send(await _message(email, documents, sender))
        except PermanentFailure as exc:
            await _fail(uow, email, str(exc), email.attempts + 1, permanent=True)
            continue
        except Exception as exc:  # noqa: BLE001 - recorded and retried with backoff
            await _failed_attempt(uow, email, repr(exc), max_attempts, draw())
            continue
        await uow.emails.mark_sent(email.email_id)
        await uow.emit(NOTIFICATION_SENT, email.email_id, _fact(email))
    return len(due)


async def _failed_attempt(
    uow: NotifierUnitOfWork, email: Email, error: str, max_attempts: int, draw: float
) -> None:
    attempts = email.attempts + 1
    if gives_up(attempts, max_attempts):
        await _fail(uow, email, error, attempts, permanent=False)
    else:
        await uow.emails.mark_retry(email.email_id, error, jittered(retry_delay(attempts), draw))


async def _fail(uow: NotifierUnitOfWork, email: Email, error: str, attempts: int, *, permanent: bool) -> None:
    await uow.emails.mark_failed(email.email_id, error)
    fact = NotificationFailed(
        **_fact(email).model_dump(), error=error[:2000], permanent=permanent, attempts=attempts
    )
    await uow.emit(NOTIFICATION_FAILED, email.email_id, fact)


async def _message(email: Email, documents: PdfFetcher, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, email.recipient, email.subject
    # A stable Message-ID lets a receiver drop the duplicate of a resend after a crash.
    msg["Message-ID"] = make_msgid(idstring=email.email_id.hex, domain="avtal.local")
    msg.set_content(email.body_text)
    if email.body_html:
        msg.add_alternative(email.body_html, subtype="html")
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
