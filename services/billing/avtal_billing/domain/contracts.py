"""Contracts as billing knows them: who is billed, in which currency, and which version that is."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Contract:
    contract_id: uuid.UUID
    contract_no: str
    customer_id: uuid.UUID
    customer_name: str
    customer_email: str
    locale: str
    currency: str
    version: int


def is_newer(candidate: Contract, known: Contract | None) -> bool:
    """Contract states may arrive in any order: only a newer version replaces what billing knows;
    the same version again (a republished state) changes nothing."""
    return known is None or candidate.version > known.version


def is_billable(status: str) -> bool:
    """A draft is not signed yet: it has no schedule until a later state makes it billable."""
    return status != "draft"
