"""In-memory e-mail queue, preferences, directory and renewal terms of the notifier, its mailer and PDF
fetcher, for handler tests.

The queue keeps the store's one rule: one e-mail per (event, kind, recipient). It keeps its own clock,
so a test can move time past a retry delay."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from avtal_notifier.adapters.smtp import PermanentFailure
from avtal_notifier.domain.directory import ContractRef, Customer
from avtal_notifier.domain.emails import Email
from avtal_notifier.domain.notices import Preference
from avtal_notifier.domain.reminders import RenewalTerm, due_reminder
from avtal_testing.fakes import FakeUnitOfWork


class FakeEmailRepo:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Email] = {}
        self.due_at: dict[uuid.UUID, datetime] = {}
        self.now = datetime(2025, 4, 1, 8, 0, tzinfo=UTC)

    async def add(self, e: Email) -> bool:
        key = (e.cause_event_id, e.kind, e.recipient)
        if any((r.cause_event_id, r.kind, r.recipient) == key for r in self.rows.values()):
            return False
        self.rows[e.email_id] = replace(e, created_at=self.now)
        self.due_at[e.email_id] = self.now
        return True

    async def claim_due(self, limit: int) -> list[Email]:
        due = [e for e in self.rows.values() if e.status == "pending" and self.due_at[e.email_id] <= self.now]
        return sorted(due, key=lambda e: self.due_at[e.email_id])[:limit]

    async def mark_sent(self, email_id: uuid.UUID) -> None:
        self._update(email_id, status="sent", sent_at=self.now)

    async def mark_retry(self, email_id: uuid.UUID, error: str, delay: timedelta) -> None:
        self._update(email_id, last_error=error)
        self.due_at[email_id] = self.now + delay

    async def mark_failed(self, email_id: uuid.UUID, error: str) -> None:
        self._update(email_id, status="failed", last_error=error)

    async def list(
        self, limit: int, offset: int, status: str | None = None, customer_id: uuid.UUID | None = None
    ) -> list[Email]:
        newest = sorted(
            self._filtered(status, customer_id), key=lambda e: e.created_at or self.now, reverse=True
        )
        return newest[offset : offset + limit]

    async def count(self, status: str | None = None, customer_id: uuid.UUID | None = None) -> int:
        return len(self._filtered(status, customer_id))

    def _filtered(self, status: str | None, customer_id: uuid.UUID | None) -> list[Email]:
        return [
            e
            for e in self.rows.values()
            if (status is None or e.status == status)
            and (customer_id is None or e.customer_id == customer_id)
        ]

    def _update(self, email_id: uuid.UUID, **changes: Any) -> None:
        email = self.rows[email_id]
        self.rows[email_id] = replace(email, attempts=email.attempts + 1, **changes)


class FakePreferenceRepo:
    def __init__(self) -> None:
        self.rows: dict[tuple[uuid.UUID, str], Preference] = {}

    async def of_customer(self, customer_id: uuid.UUID) -> dict[str, Preference]:
        return {kind: p for (cid, kind), p in self.rows.items() if cid == customer_id}

    async def get(self, customer_id: uuid.UUID, kind: str) -> Preference:
        return self.rows.get((customer_id, kind), Preference(kind))

    async def put(self, customer_id: uuid.UUID, prefs: list[Preference], actor: str) -> None:
        for p in prefs:
            self.rows[(customer_id, p.kind)] = p


class FakeDirectoryRepo:
    def __init__(self) -> None:
        self.customers: dict[uuid.UUID, tuple[Customer, int]] = {}
        self.contracts: dict[uuid.UUID, tuple[ContractRef, int]] = {}

    async def put_customer(self, c: Customer, version: int) -> None:
        known = self.customers.get(c.customer_id)
        if known is None or known[1] < version:
            self.customers[c.customer_id] = (c, version)

    async def customer(self, customer_id: uuid.UUID) -> Customer | None:
        known = self.customers.get(customer_id)
        return known[0] if known else None

    async def put_contract(self, c: ContractRef, version: int) -> None:
        known = self.contracts.get(c.contract_id)
        if known is None or known[1] < version:
            self.contracts[c.contract_id] = (c, version)

    async def contract(self, contract_id: uuid.UUID) -> ContractRef | None:
        known = self.contracts.get(contract_id)
        return known[0] if known else None


class FakeReminderRepo:
    def __init__(self) -> None:
        self.terms: dict[tuple[uuid.UUID, date], RenewalTerm] = {}

    async def open(self, t: RenewalTerm, auto_renew: bool | None) -> None:
        key = (t.contract_id, t.term_end)
        old = self.terms.get(key)
        if old is None:
            self.terms[key] = replace(t, auto_renew=bool(auto_renew))
            return
        self.terms[key] = replace(
            old,
            contract_no=t.contract_no or old.contract_no,
            first_notice_on=min(old.first_notice_on, t.first_notice_on),
            auto_renew=old.auto_renew if auto_renew is None else auto_renew,
            quote_no=t.quote_no or old.quote_no,
            quote_total=t.quote_total if t.quote_total is not None else old.quote_total,
            currency=t.currency or old.currency,
        )

    async def stop(self, contract_id: uuid.UUID, why: str) -> None:
        for key, t in self.terms.items():
            if t.contract_id == contract_id and t.stopped is None:
                self.terms[key] = replace(t, stopped=why)

    async def due(self, today: date, cadence_days: int, limit: int) -> list[RenewalTerm]:
        due = [t for t in self.terms.values() if due_reminder(t, today, cadence_days) is not None]
        return sorted(due, key=lambda t: t.first_notice_on)[:limit]

    async def reminded(self, contract_id: uuid.UUID, term_end: date, number: int) -> None:
        t = self.terms[(contract_id, term_end)]
        self.terms[(contract_id, term_end)] = replace(t, reminders_sent=max(t.reminders_sent, number))

    async def of_contract(self, contract_id: uuid.UUID) -> list[RenewalTerm]:
        return sorted(
            (t for t in self.terms.values() if t.contract_id == contract_id), key=lambda t: t.term_end
        )


class FakeNotifierUnitOfWork(FakeUnitOfWork):
    producer = "notifier"

    def bind_repositories(self) -> None:
        self.emails = FakeEmailRepo()
        self.preferences = FakePreferenceRepo()
        self.directory = FakeDirectoryRepo()
        self.reminders = FakeReminderRepo()

    def snapshot(self) -> Any:
        return (
            dict(self.emails.rows),
            dict(self.emails.due_at),
            dict(self.preferences.rows),
            dict(self.directory.customers),
            dict(self.directory.contracts),
            dict(self.reminders.terms),
        )

    def restore(self, state: Any) -> None:
        (
            self.emails.rows,
            self.emails.due_at,
            self.preferences.rows,
            self.directory.customers,
            self.directory.contracts,
            self.reminders.terms,
        ) = state


class FakeMailer:
    """Accepts every message, or refuses the next `failures` ones (a refused connection), or refuses
    for good (a 550) every message to an address in `refused`."""

    def __init__(self, failures: int = 0, refused: tuple[str, ...] = ()) -> None:
        self.sent: list[EmailMessage] = []
        self.failures = failures
        self.refused = refused

    async def send(self, message: EmailMessage) -> None:
        if message["To"] in self.refused:
            raise PermanentFailure(f"{message['To']}: 550 mailbox unavailable")
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("SMTP server refused the connection")
        self.sent.append(message)


class FakePdfFetcher:
    """Billing's documents by path; like the real one, refuses a document whose hash differs."""

    def __init__(self, documents: dict[str, bytes] | None = None) -> None:
        self.documents = dict(documents or {})

    async def fetch(self, path: str, sha256: str) -> bytes:
        pdf = self.documents[path]
        if hashlib.sha256(pdf).hexdigest() != sha256:
            raise ValueError(f"document {path} does not match the hash in its event")
        return pdf
