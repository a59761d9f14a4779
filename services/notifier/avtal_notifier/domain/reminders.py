"""Renewal reminders: after the first notice of a term, one every `cadence` days until the customer
answers or the term ends (docs/adr/0011). Pure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

# Why a term's reminders stopped: the answer or end that stopped them.
STOPS = ("accepted", "declined", "renewed", "expired", "terminated")
_NAMESPACE = uuid.UUID("6a1c3f0e-5d2b-4c8e-9f37-0b6f1e2a4d10")


@dataclass(frozen=True)
class RenewalTerm:
    """One contract term that has had its first expiry notice or renewal quote."""

    contract_id: uuid.UUID
    term_end: date  # the term's last covered day
    contract_no: str
    customer_id: uuid.UUID
    first_notice_on: date
    reminders_sent: int = 0
    auto_renew: bool = False
    stopped: str | None = None
    quote_no: str | None = None
    quote_total: Decimal | None = None
    currency: str | None = None


def due_reminder(term: RenewalTerm, today: date, cadence_days: int) -> int | None:
    """The number of the reminder due `today` (1, 2, …), or None. After a pause (the service was down)
    only the latest due one is sent; none on or after the term's last day, nor for a term that renews by
    itself (nothing to accept) or whose reminders were stopped."""
    if term.stopped or term.auto_renew or today >= term.term_end:
        return None
    number = (today - term.first_notice_on).days // cadence_days
    return number if number > term.reminders_sent else None


def next_reminder_on(term: RenewalTerm, cadence_days: int) -> date:
    return term.first_notice_on + timedelta(days=cadence_days * (term.reminders_sent + 1))


def reminder_key(contract_id: uuid.UUID, term_end: date, number: int) -> uuid.UUID:
    """The same id for the same reminder in every process: the e-mail's unique key (one mail per
    contract, term and reminder number, whichever replica queues it, however often)."""
    return uuid.uuid5(_NAMESPACE, f"renewal-reminder:{contract_id}:{term_end}:{number}")
