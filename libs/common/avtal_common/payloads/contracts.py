"""Events the contracts service publishes (event-carried state: each applies alone)."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, EmailStr

from avtal_common.events import Payload
from avtal_common.money import Amount, Currency


class CustomerRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    customer_id: uuid.UUID
    name: str
    email: EmailStr
    locale: str = "en"


class CoveredItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    item_id: uuid.UUID
    manufacturer_no: str
    model: str
    serial_no: str


class ContractLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    line_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    product_name: str
    item: CoveredItem
    annual_price: Amount


class ContractCreated(Payload):
    contract_id: uuid.UUID
    contract_no: str
    customer: CustomerRef
    currency: Currency
    start_date: date
    end_date: date
    billing_interval_months: int
    status: str = "active"
    lines: list[ContractLine]


class ContractState(Payload):
    """`contract.state`: the whole contract as it is after a change, published beside the change's fact.

    The envelope's `version` is the contract's version (one more per change): a consumer keeps the
    highest version it has seen and ignores a lower or equal one, so arrival order does not matter.
    `end_date` is the last covered (billable) day; a termination moves it. Fields are only ever added,
    each optional or with a default, so an older consumer keeps reading newer states."""

    contract_id: uuid.UUID
    contract_no: str
    customer: CustomerRef
    currency: Currency
    start_date: date
    end_date: date
    billing_interval_months: int
    status: str
    lines: list[ContractLine]
