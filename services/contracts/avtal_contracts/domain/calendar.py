"""What the calendar does to an open contract on a given day: status moves and expiry reminders. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from avtal_contracts.domain.contracts import Contract, effective_status

DEFAULT_LEADS = (90, 60, 30, 7)


@dataclass(frozen=True)
class Reminder:
    """`contract.expiring` for one basis ('term_end' or 'notice_deadline') and lead time."""

    basis: str
    basis_date: date
    lead_days: int

    @property
    def due_on(self) -> date:
        return self.basis_date - timedelta(days=self.lead_days)


def due_reminders(c: Contract, today: date, leads: tuple[int, ...] = DEFAULT_LEADS) -> list[Reminder]:
    """The reminders `today` calls for: per basis, the shortest lead time already due while its basis
    date has not passed. Catch-up: a run after days of downtime sends only the latest missed lead of each
    basis (older ones would say less than the newest, and a customer gets one mail, not three). With no
    notice period both bases are the same day: one reminder per lead, basis 'term_end'."""
    if c.status not in ("active", "expiring"):
        return []
    bases = [("term_end", c.end_date)]
    if c.terms.notice_days > 0:
        bases.append(("notice_deadline", c.notice_deadline))
    out = []
    for basis, day in bases:
        due = [lead for lead in leads if day - timedelta(days=lead) <= today]
        if due and today <= day:
            out.append(Reminder(basis, day, min(due)))
    return out


def renewal_due(c: Contract, today: date) -> bool:
    """An auto-renewing contract renews at the run on (or, after downtime, after) its last covered day,
    so its successor is in place before the first day it would otherwise be uncovered."""
    return (
        c.terms.auto_renew
        and c.status in ("active", "expiring")
        and c.renewed_to is None
        and (today >= c.end_date)
    )


def status_move(c: Contract, today: date, expiring_days: int) -> str | None:
    """The status to store today, if it differs from the stored one. An auto-renewing contract is never
    expired by the calendar: it renews (or waits, reported, for what its renewal needs)."""
    status = effective_status(c, today, expiring_days)
    if status == c.status:
        return None
    if status == "expired" and c.terms.auto_renew:
        return "expiring" if c.status != "expiring" else None
    return status
