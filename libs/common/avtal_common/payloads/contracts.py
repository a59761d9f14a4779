"""Events the contracts service publishes (event-carried state: each applies alone)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, EmailStr

from avtal_common.events import Payload
from avtal_common.money import Amount, Currency


class CustomerRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    customer_id: uuid.UUID
    name: str
    email: EmailStr
    locale: str = "en"
    # Billing terms (added by issue 8; defaults keep older events readable).
    address_line: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str = "SE"
    payment_terms_days: int = 30
    tax_id: str | None = None
    vat_rate: Decimal = Decimal("25.00")
    reverse_charge: bool = False


class CoveredItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    item_id: uuid.UUID
    manufacturer_no: str
    model: str
    serial_no: str
    site_id: uuid.UUID | None = None
    site_name: str | None = None


class ContractLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    line_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    product_name: str
    item: CoveredItem
    annual_price: Amount  # unit_price * quantity
    unit_price: Amount | None = None  # per unit and year
    quantity: int = 1
    start_date: date | None = None  # None: the contract's start_date
    end_date: date | None = None  # None: the contract's end_date
    vat_rate: Decimal | None = None  # percent; None: the customer's rate (added by issue 9)


class ContractTerms(BaseModel):
    model_config = ConfigDict(frozen=True)

    billing_timing: str = "advance"
    price_policy: str = "fixed"
    uplift_pct: Decimal | None = None
    uplift_index: str | None = None
    auto_renew: bool = False
    renewal_term_months: int = 12
    notice_days: int = 0


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
    terms: ContractTerms = ContractTerms()


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
    terms: ContractTerms = ContractTerms()
    terminated_on: date | None = None
    termination_reason: str | None = None
    renewed_from: uuid.UUID | None = None
    renewed_to: uuid.UUID | None = None


class ContractAmended(ContractState):
    """`contract.amended`: one workflow or bulk operation changed the contract; the full new state,
    what was done, and from which day it takes effect."""

    operation: str  # add_items, remove_items, change_prices, edit_terms, coterminate, reorganise, ...
    effective_date: date
    summary: str = ""  # one line a person can read: "added 2 items", "end date 2027-03-31 -> 2026-12-31"
    job_id: uuid.UUID | None = None  # the bulk job, when one did it


class ContractTerminated(ContractState):
    """`contract.terminated`: the contract ends on `terminated_on` (its last covered day, now its
    `end_date`); billing credits what was prepaid beyond it."""

    effective_date: date
    reason: str


class ContractRenewed(Payload):
    """`contract.renewed`: the contract was renewed by a successor for the next term."""

    contract_id: uuid.UUID
    contract_no: str
    successor_id: uuid.UUID
    successor_no: str
    start_date: date  # the successor's term
    end_date: date
    how: str  # 'auto' (tacit renewal), 'accepted' (the customer accepted), 'staff'
    annual_value_before: Amount
    annual_value_after: Amount
    currency: Currency


class ContractExpiring(Payload):
    """`contract.expiring`: sent once per contract term, basis and lead time (docs/contracts-model.md)."""

    contract_id: uuid.UUID
    contract_no: str
    customer: CustomerRef
    end_date: date
    notice_deadline: date
    basis: str  # 'term_end' or 'notice_deadline'
    lead_days: int
    due_on: date  # the day the reminder was due: basis date minus lead_days
    auto_renew: bool
    annual_value: Amount
    currency: Currency


class ContractExpired(Payload):
    """`contract.expired`: the day after the last covered day came and no renewal followed."""

    contract_id: uuid.UUID
    contract_no: str
    customer: CustomerRef
    end_date: date


class BillRequested(Payload):
    """`contract.bill_requested`: invoice this contract's periods that start on or before `as_of` now,
    off the billing calendar."""

    contract_id: uuid.UUID
    contract_no: str
    as_of: date
    requested_by: str


class RenewalAccepted(Payload):
    """`renewal.accepted`: the customer (in the portal) or staff accepted the renewal of a contract."""

    contract_id: uuid.UUID
    accepted_by: str
    accepted_on: date


class RenewalDeclined(Payload):
    """`renewal.declined`: the customer (in the portal) or staff declined the renewal of a contract; it
    ends on its end date and renewal reminders stop."""

    contract_id: uuid.UUID
    declined_by: str
    declined_on: date


class BulkJobFailure(BaseModel):
    model_config = ConfigDict(frozen=True)

    contract_id: uuid.UUID
    contract_no: str
    reason: str


class BulkJobFinished(Payload):
    """`bulk_job.finished`: a bulk job has no contract left to take; `failures` lists the first of its
    failed contracts (at most 20)."""

    job_id: uuid.UUID
    kind: str
    actor: str
    selected: int  # contracts the job took on
    done: int
    failed: int
    failures: list[BulkJobFailure] = []
