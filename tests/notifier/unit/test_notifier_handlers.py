"""Queueing invoice e-mails and sending them, against a fake queue, mailer and PDF fetcher."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from notifier.unit.fakes import FakeMailer, FakeNotifierUnitOfWork, FakePdfFetcher
from notifier.unit.samples import invoice_generated

from avtal_common.outbox import new_envelope
from avtal_common.topics import INVOICE_GENERATED, NOTIFICATION_FAILED, NOTIFICATION_SENT
from avtal_notifier.consumers import HANDLERS
from avtal_notifier.domain.emails import retry_delay
from avtal_notifier.handlers.emails import send_due
from avtal_testing.fakes import deliver

ON_INVOICE_GENERATED = next(h for h in HANDLERS if h.topic == INVOICE_GENERATED)
PDF = b"%PDF-1.7 invoice INV-2025-000042"
PDF_PATH = "/invoices/6c1f/pdf"
SENDER = "Avtal <billing@avtal.local>"


def _invoice_generated(locale: str = "en", sha256: str = hashlib.sha256(PDF).hexdigest()):
    data = invoice_generated(locale, PDF_PATH, sha256)
    return new_envelope(INVOICE_GENERATED, "billing", data.invoice_id, data)


async def _send(
    uow: FakeNotifierUnitOfWork,
    mailer: FakeMailer,
    fetcher: FakePdfFetcher | None = None,
    max_attempts: int = 8,
) -> int:
    async with uow:
        fetcher = fetcher or FakePdfFetcher({PDF_PATH: PDF})
        return await send_due(uow, mailer, fetcher, SENDER, max_attempts, draw=lambda: 0.0)


def _topics(uow: FakeNotifierUnitOfWork) -> list[str]:
    return [e.topic for e in uow.outbox.events]


async def test_the_same_invoice_event_twice_sends_one_email_and_publishes_one_notification() -> None:
    uow, mailer, event = FakeNotifierUnitOfWork(), FakeMailer(), _invoice_generated()

    outcomes = [await deliver(uow, ON_INVOICE_GENERATED, event) for _ in range(2)]
    await _send(uow, mailer)

    assert outcomes == ["handled", "duplicate"]
    assert len(mailer.sent) == 1
    assert _topics(uow) == [NOTIFICATION_SENT]
    assert uow.outbox.events[0].data.related_event_id == event.event_id


async def test_an_invoice_event_queues_an_email_and_sends_nothing_yet() -> None:
    uow = FakeNotifierUnitOfWork()

    await deliver(uow, ON_INVOICE_GENERATED, _invoice_generated())

    [email] = uow.emails.rows.values()
    assert (email.kind, email.recipient, email.status) == ("invoice", "billing@acme.example", "pending")
    assert uow.outbox.events == []


async def test_the_invoice_email_carries_the_pdf_from_billing_in_the_customers_language() -> None:
    uow, mailer = FakeNotifierUnitOfWork(), FakeMailer()
    await deliver(uow, ON_INVOICE_GENERATED, _invoice_generated(locale="sv"))

    await _send(uow, mailer)

    [message] = mailer.sent
    assert (message["To"], message["From"], message["Subject"]) == (
        "billing@acme.example",
        SENDER,
        "Faktura INV-2025-000042",
    )
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "INV-2025-000042.pdf"
    assert attachment.get_content() == PDF


async def test_a_sent_email_is_not_sent_again_on_the_next_pass() -> None:
    uow, mailer = FakeNotifierUnitOfWork(), FakeMailer()
    await deliver(uow, ON_INVOICE_GENERATED, _invoice_generated())

    sent = [await _send(uow, mailer) for _ in range(2)]

    assert sent == [1, 0]
    assert len(mailer.sent) == 1
    [email] = uow.emails.rows.values()
    assert (email.status, email.attempts, email.sent_at) == ("sent", 1, uow.emails.now)


async def test_a_refused_send_is_retried_after_the_backoff_and_published_only_once_sent() -> None:
    uow, mailer = FakeNotifierUnitOfWork(), FakeMailer(failures=1)
    await deliver(uow, ON_INVOICE_GENERATED, _invoice_generated())

    await _send(uow, mailer)
    [email] = uow.emails.rows.values()
    assert (email.status, email.attempts, mailer.sent, uow.outbox.events) == ("pending", 1, [], [])
    assert "refused" in (email.last_error or "")

    uow.emails.now += retry_delay(1) - timedelta(seconds=1)
    assert await _send(uow, mailer) == 0  # not due yet
    uow.emails.now += timedelta(seconds=1)
    await _send(uow, mailer)

    assert len(mailer.sent) == 1
    assert _topics(uow) == [NOTIFICATION_SENT]


async def test_after_the_last_attempt_the_email_fails_and_notification_failed_is_published() -> None:
    uow, mailer = FakeNotifierUnitOfWork(), FakeMailer(failures=3)
    await deliver(uow, ON_INVOICE_GENERATED, _invoice_generated())

    for _ in range(3):
        await _send(uow, mailer, max_attempts=3)
        uow.emails.now += timedelta(hours=1)

    [email] = uow.emails.rows.values()
    assert (email.status, email.attempts) == ("failed", 3)
    assert _topics(uow) == [NOTIFICATION_FAILED]
    assert await _send(uow, FakeMailer()) == 0  # a failed e-mail is never tried again


async def test_a_pdf_that_does_not_match_the_hash_in_its_event_is_not_sent() -> None:
    uow, mailer = FakeNotifierUnitOfWork(), FakeMailer()
    await deliver(uow, ON_INVOICE_GENERATED, _invoice_generated(sha256="0" * 64))

    await _send(uow, mailer)

    [email] = uow.emails.rows.values()
    assert (mailer.sent, uow.outbox.events, email.status) == ([], [], "pending")
    assert "does not match" in (email.last_error or "")


async def test_a_permanent_refusal_fails_the_email_at_once_with_its_reason() -> None:
    uow, mailer = FakeNotifierUnitOfWork(), FakeMailer(refused=("billing@acme.example",))
    await deliver(uow, ON_INVOICE_GENERATED, _invoice_generated())

    await _send(uow, mailer)

    [email] = uow.emails.rows.values()
    assert (email.status, email.attempts) == ("failed", 1)
    assert "550" in (email.last_error or "")
    [failed] = uow.outbox.events
    assert failed.topic == NOTIFICATION_FAILED
    assert (failed.data.permanent, failed.data.error) == (True, email.last_error)  # type: ignore[attr-defined]
    uow.emails.now += timedelta(days=1)
    assert await _send(uow, FakeMailer()) == 0


async def test_a_transient_failure_is_published_as_not_permanent_after_the_last_attempt() -> None:
    uow, mailer = FakeNotifierUnitOfWork(), FakeMailer(failures=2)
    await deliver(uow, ON_INVOICE_GENERATED, _invoice_generated())

    for _ in range(2):
        await _send(uow, mailer, max_attempts=2)
        uow.emails.now += timedelta(hours=1)

    [failed] = uow.outbox.events
    assert (failed.data.permanent, failed.data.attempts) == (False, 2)  # type: ignore[attr-defined]
    assert "refused the connection" in failed.data.error  # type: ignore[attr-defined]


async def test_the_retry_delay_is_stretched_by_the_jitter_drawn() -> None:
    uow, mailer = FakeNotifierUnitOfWork(), FakeMailer(failures=1)
    await deliver(uow, ON_INVOICE_GENERATED, _invoice_generated())

    async with uow:
        await send_due(uow, mailer, FakePdfFetcher({PDF_PATH: PDF}), SENDER, 8, draw=lambda: 0.8)

    [email_id] = uow.emails.rows
    assert uow.emails.due_at[email_id] - uow.emails.now == timedelta(seconds=6)  # 5 s × 1.2
