"""Billing runs: what a run is, what it failed on, and the bounds of the date it bills up to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from avtal_common.api.commands import MAX_AS_OF_AHEAD
from avtal_common.errors import DomainError

# Billing is in advance, so a run may look ahead, but at most the longest billing interval (a year):
# the same bound the API's command model enforces, kept here for runs that come from elsewhere.
MAX_DAYS_AHEAD = MAX_AS_OF_AHEAD.days
MAX_YEARS_BACK = 10
MAX_RUN_KEY = 200


class RunRefused(DomainError):
    """The run's command is out of bounds (bad input: the API answers 400 with this message)."""


@dataclass(frozen=True)
class PeriodFailure:
    """One period whose invoice could not be made, and why (as a person can read it)."""

    contract_id: uuid.UUID
    period_start: date
    reason: str


@dataclass(frozen=True)
class RunFailure:
    contract_id: uuid.UUID
    period_start: date
    reason: str
    attempts: int
    failed_at: datetime


@dataclass(frozen=True)
class BillingRun:
    run_id: uuid.UUID
    run_key: str
    as_of: date
    invoices_created: int
    rounds: int
    finished: bool
    open_failures: tuple[RunFailure, ...] = ()
    failed: int = 0  # open failures in all, even when only the first ones are listed
    invoice_per: str = "contract"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    totals: tuple[CurrencyTotal, ...] = ()  # what the run's invoices come to, per currency


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    invoices: int
    net: Decimal
    vat: Decimal
    total: Decimal


INVOICE_PER = ("customer", "contract")


def check_run(as_of: date, run_key: str, payment_terms_days: int, today: date, per: str = "customer") -> None:
    """Refuse a run that would bill from a date no one meant (a typo like 2999) or has no key."""
    if as_of > today + timedelta(days=MAX_DAYS_AHEAD):
        raise RunRefused(
            f"as_of {as_of} is more than {MAX_DAYS_AHEAD} days after today ({today}): "
            "a run bills at most one billing interval ahead"
        )
    if as_of.year < today.year - MAX_YEARS_BACK:
        raise RunRefused(f"as_of {as_of} is more than {MAX_YEARS_BACK} years back; bill from a later date")
    if not run_key.strip() or len(run_key) > MAX_RUN_KEY:
        raise RunRefused(f"run_key must be 1 to {MAX_RUN_KEY} characters")
    if per not in INVOICE_PER:
        raise RunRefused(f"invoice_per must be one of {', '.join(INVOICE_PER)}, got {per!r}")
    if payment_terms_days < 0:
        raise RunRefused(f"payment terms must be zero days or more, got {payment_terms_days}")
