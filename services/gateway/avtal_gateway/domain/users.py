"""Users of the portal: staff see everything; a customer user sees only its own customer's data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from avtal_common.errors import DomainError, NotFound

ROLES = ("staff", "customer")


@dataclass(frozen=True)
class User:
    user_id: uuid.UUID
    email: str
    role: str
    customer_id: uuid.UUID | None = None
    # A disabled user cannot sign in, and its sessions are revoked when it is disabled.
    disabled: bool = False

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"

    def may_see(self, customer_id: uuid.UUID | str) -> bool:
        return self.is_staff or str(self.customer_id) == str(customer_id)

    def require_visible(self, customer_id: uuid.UUID | str, what: str) -> None:
        """Another customer's data is reported as missing (404), never as forbidden."""
        if not self.may_see(customer_id):
            raise NotFound(f"{what} does not exist")


def new_user(email: str, role: str, customer_id: uuid.UUID | None) -> User:
    if role not in ROLES:
        raise DomainError(f"role must be one of {ROLES}")
    if (role == "customer") != (customer_id is not None):
        raise DomainError("a customer user needs a customer_id; a staff user must not have one")
    return User(uuid.uuid4(), email.strip().lower(), role, customer_id)


def check_password_strength(password: str) -> None:
    if len(password) < 10:
        raise DomainError("a password needs at least 10 characters")
