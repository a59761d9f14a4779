"""Who a customer or contract is, as the notifier last heard (customer.state, contract.state). Pure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Customer:
    customer_id: uuid.UUID
    name: str
    email: str
    locale: str = "en"


@dataclass(frozen=True)
class ContractRef:
    contract_id: uuid.UUID
    contract_no: str
    customer_id: uuid.UUID
