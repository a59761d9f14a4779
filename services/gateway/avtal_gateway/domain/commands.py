"""Commands of the gateway's use cases (validated at the HTTP edge, plain values here)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class SignIn:
    email: str
    password: str
    address: str  # the client's address, as the HTTP edge determined it


@dataclass(frozen=True)
class CreateUser:
    email: str
    password: str
    role: str
    customer_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ChangePassword:
    user_id: uuid.UUID
    current_password: str
    new_password: str
    address: str
