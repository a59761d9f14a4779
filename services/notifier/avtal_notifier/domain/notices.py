"""The kinds of notice the notifier sends, and who receives one. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field

from avtal_common.errors import DomainError

# Notices a customer receives; each can be switched off or sent to other contacts (preferences).
CUSTOMER_KINDS = (
    "contract_expiring",
    "renewal_quote",
    "renewal_reminder",
    "contract_renewed",
    "invoice",
    "credit_note",
    "payment_received",
    "overdue",
)
# Notices for staff (AVTAL_NOTIFIER_STAFF_EMAILS); no customer preferences apply.
STAFF_KINDS = ("billing_run_failed", "bulk_job_failed")


@dataclass(frozen=True)
class Preference:
    """What one customer wants for one kind of notice. The default: on, to the customer's e-mail."""

    kind: str
    enabled: bool = True
    contacts: tuple[str, ...] = field(default_factory=tuple)  # extra addresses
    customer_email: bool = True  # also to the customer's own e-mail (False: only to `contacts`)


def recipients(customer_email: str, pref: Preference) -> list[str]:
    """Addresses for one notice, each once (compared without case), the customer's own first."""
    if not pref.enabled:
        return []
    wanted = ([customer_email] if pref.customer_email else []) + list(pref.contacts)
    seen: dict[str, str] = {}
    for address in wanted:
        seen.setdefault(address.strip().lower(), address.strip())
    return [a for a in seen.values() if a]


def check(pref: Preference) -> None:
    """Refuses a preference no one could act on."""
    if pref.kind not in CUSTOMER_KINDS:
        raise DomainError(f"unknown notice kind {pref.kind!r}: one of {', '.join(CUSTOMER_KINDS)}")
    if pref.enabled and not pref.customer_email and not pref.contacts:
        raise DomainError(
            f"{pref.kind}: on, but neither to the customer's e-mail nor to a contact: add a contact "
            "or switch the notice off"
        )
