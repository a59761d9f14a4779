"""Delivery against a real SMTP server (the stack's sink, aiosmtpd) and the real PostgreSQL: mails queued
during an SMTP outage go out after it ends, each once; a 4xx reply is retried, a 5xx is not.

The notifier's own queue, handler and mailer code run in this process on a database of their own, so
the outage (a TCP proxy cut in front of the sink) touches nothing else of the running stack."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiosmtpd.controller import Controller

from avtal_common import topics
from avtal_common.consumer import apply_event
from avtal_common.db import create_pool, ensure_database
from avtal_common.migrations import common_migrations, migrate, package_migrations
from avtal_common.outbox import new_envelope
from avtal_common.payloads.billing import InvoiceOverdue
from avtal_notifier.adapters.smtp import PermanentFailure, SmtpMailer
from avtal_notifier.consumers import HANDLERS
from avtal_notifier.handlers.emails import send_due
from avtal_notifier.store.uow import NotifierUnitOfWork
from avtal_stack.smtp_sink import MaildirHandler
from avtal_testing.brokers import free_port
from avtal_testing.stack import StackInfo
from avtal_testing.tcp_proxy import TcpProxy

ON_OVERDUE = next(h for h in HANDLERS if h.topic == topics.INVOICE_OVERDUE)


class BusySink(MaildirHandler):
    """The sink, but a mailbox at busy.invalid is temporarily unavailable (451), as a greylisting
    server answers."""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.endswith("@busy.invalid"):
            return "451 4.2.0 mailbox busy, try again later"
        return await super().handle_RCPT(server, session, envelope, address, options)


@pytest.fixture
async def pool(stack: StackInfo) -> AsyncIterator[asyncpg.Pool]:
    url = stack.database_url(f"notifier_outage_{uuid.uuid4().hex[:8]}")
    await ensure_database(url)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn, common_migrations() + package_migrations("avtal_notifier"))
    finally:
        await conn.close()
    p = await create_pool(url)
    yield p
    await p.close()


@pytest.fixture
def sink(tmp_path: Path) -> Any:
    controller = Controller(BusySink(tmp_path / "mail"), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def _overdue(email: str) -> Any:
    data = InvoiceOverdue(
        invoice_id=uuid.uuid4(), invoice_no="INV-2026-000901", customer_id=uuid.uuid4(),
        customer_name="Kund AB",
        customer_email=email, locale="sv", currency="SEK", total=Decimal("500.00"), balance=Decimal("500.00"),
        due_date=date(2026, 10, 1), days_overdue=7, step=1, step_name="reminder",
    )  # fmt: skip
    return new_envelope(topics.INVOICE_OVERDUE, "billing", data.invoice_id, data)


async def _queue(pool: asyncpg.Pool, email: str) -> None:
    async with NotifierUnitOfWork(pool, "notifier") as uow:
        assert await apply_event(uow, ON_OVERDUE, _overdue(email)) == "handled"


async def _pass(pool: asyncpg.Pool, mailer: SmtpMailer) -> int:
    async with NotifierUnitOfWork(pool, "notifier") as uow:
        return await send_due(uow, mailer, _NoDocuments(), "Avtal <billing@avtal.local>", max_attempts=8)


async def _row(pool: asyncpg.Pool, email: str) -> asyncpg.Record:
    return await pool.fetchrow("SELECT status, attempts, last_error FROM emails WHERE recipient = $1", email)


class _NoDocuments:
    async def fetch(self, path: str, sha256: str) -> bytes:
        raise AssertionError("no attachment expected")


def _delivered(sink: Any, email: str) -> list[Any]:
    return [m for m in sink.handler.box if m["To"] == email]


async def test_mails_queued_during_an_smtp_outage_go_out_once_after_it_ends(
    pool: asyncpg.Pool, sink: Any
) -> None:
    proxy = await TcpProxy(sink.port).start()
    mailer = SmtpMailer("127.0.0.1", proxy.port, None, None, False, 5)
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    try:
        proxy.cut()
        await _queue(pool, email)
        await _pass(pool, mailer)
        during = await _row(pool, email)
        assert (during["status"], during["attempts"], _delivered(sink, email)) == ("pending", 1, [])
        assert during["last_error"]

        proxy.restore()
        for _ in range(100):  # the retry is due 5 to 6.25 s after the failed attempt
            await _pass(pool, mailer)
            if _delivered(sink, email):
                break
            await asyncio.sleep(0.2)
        for _ in range(3):
            await _pass(pool, mailer)  # later passes send nothing again
    finally:
        await proxy.close()

    after = await _row(pool, email)
    assert (after["status"], after["attempts"]) == ("sent", 2)
    [mail] = _delivered(sink, email)
    assert str(make_header(decode_header(mail["Subject"]))) == "Betalningspåminnelse: faktura INV-2026-000901"


async def test_a_4xx_reply_is_retried_and_a_5xx_reply_fails_at_once(pool: asyncpg.Pool, sink: Any) -> None:
    mailer = SmtpMailer("127.0.0.1", sink.port, None, None, False, 5)
    busy, refused = f"{uuid.uuid4().hex[:8]}@busy.invalid", f"{uuid.uuid4().hex[:8]}@refused.example"
    for email in (busy, refused):
        await _queue(pool, email)

    await _pass(pool, mailer)

    assert tuple((await _row(pool, busy)).values())[:2] == ("pending", 1)
    failed = await _row(pool, refused)
    assert (failed["status"], failed["attempts"]) == ("failed", 1)
    assert failed["last_error"].startswith(f"{refused}: 550")


async def test_the_smtp_mailer_calls_only_a_5xx_permanent(sink: Any) -> None:
    from email.message import EmailMessage

    mailer = SmtpMailer("127.0.0.1", sink.port, None, None, False, 5)
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "a@avtal.local", "x"
    msg.set_content("x")
    msg["To"] = "nobody@refused.example"
    with pytest.raises(PermanentFailure, match="550"):
        await mailer.send(msg)
    msg.replace_header("To", "nobody@busy.invalid")
    with pytest.raises(Exception, match="451") as transient:
        await mailer.send(msg)
    assert not isinstance(transient.value, PermanentFailure)
