"""Command bodies shared by the gateway's /api/v1 and the services' internal APIs (additive changes only)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, EmailStr, Field, ValidationInfo, field_validator

from avtal_common.api.text import FreeText, OneLine
from avtal_common.money import Currency

# Bounds that keep dates in the range billing, reporting and PostgreSQL handle sensibly.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2999, 12, 31)
MAX_TERM_YEARS = 10
# A billing run may look ahead at most one billing period (the longest is 12 months).
MAX_AS_OF_AHEAD = timedelta(days=366)
BillingInterval = Literal[1, 3, 6, 12]


def _in_range(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"dates from {EARLIEST_DATE} to {LATEST_DATE} are accepted, not {value}")
    return value


BoundedDate = Annotated[date, AfterValidator(_in_range)]


def term_limit(start: date) -> date:
    """The first day after the longest allowed term (the 10th anniversary; 29 Feb → 1 Mar)."""
    try:
        return start.replace(year=start.year + MAX_TERM_YEARS)
    except ValueError:
        return date(start.year + MAX_TERM_YEARS, 3, 1)


class ProductIn(BaseModel):
    sku: OneLine = Field(min_length=1, max_length=64)
    name: OneLine = Field(min_length=1, max_length=200)
    description: FreeText = Field(default="", max_length=4000)
    vendor: OneLine | None = Field(default=None, max_length=200)
    category: OneLine | None = Field(default=None, max_length=100)
    annual_price: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    currency: Currency = "SEK"
    manufacturer: OneLine | None = Field(default=None, max_length=100)
    models: list[Annotated[OneLine, Field(min_length=1, max_length=100)]] = Field(default=[], max_length=50)
    maintenance_level: OneLine | None = Field(default=None, max_length=32)
    billing_unit: Literal["item_month", "item_year"] = "item_year"
    # Percent; empty: each customer's rate. Swedish rates are 25, 12, 6 and 0.
    vat_rate: Decimal | None = Field(default=None, ge=0, le=100, max_digits=5, decimal_places=2)


Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, e.g. SE")]
ExternalIds = Annotated[
    dict[Annotated[str, Field(max_length=40)], Annotated[OneLine, Field(max_length=100)]],
    Field(description='ids in other systems, e.g. {"erp": "4711"}'),
]


class CustomerTermsIn(BaseModel):
    """A customer's contact and billing terms; every field optional (an update changes the ones given)."""

    contact_name: OneLine | None = Field(default=None, max_length=200)
    phone: OneLine | None = Field(default=None, max_length=50)
    address_line: OneLine | None = Field(default=None, max_length=200)
    postal_code: OneLine | None = Field(default=None, max_length=20)
    city: OneLine | None = Field(default=None, max_length=100)
    country: Country = "SE"
    currency: Currency = "SEK"
    payment_terms_days: int = Field(default=30, ge=0, le=365)
    tax_id: OneLine | None = Field(default=None, max_length=40, description="VAT registration number")
    vat_rate: Decimal = Field(default=Decimal("25.00"), ge=0, le=100, max_digits=5, decimal_places=2)
    reverse_charge: bool = Field(default=False, description="the buyer accounts for VAT: invoices carry 0%")
    external_ids: ExternalIds = Field(default_factory=dict)

    @field_validator("external_ids")
    @classmethod
    def _at_most_20_ids(cls, ids: dict[str, str]) -> dict[str, str]:
        if len(ids) > 20:
            raise ValueError("at most 20 external ids")
        return ids


class CustomerIn(CustomerTermsIn):
    name: OneLine = Field(min_length=1, max_length=200)
    email: EmailStr = Field(description="the billing contact: invoices and reminders go here")
    locale: Literal["en", "sv"] = "en"
    external_ref: OneLine | None = Field(default=None, max_length=100)


class CustomerUpdateIn(CustomerTermsIn):
    """The fields to change (the others stay); `version`, when given, must be the stored one (else 409)."""

    name: OneLine | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    locale: Literal["en", "sv"] | None = None
    external_ref: OneLine | None = Field(default=None, max_length=100)
    version: int | None = Field(default=None, ge=1)


class SiteIn(BaseModel):
    name: OneLine = Field(min_length=1, max_length=200)
    address_line: OneLine | None = Field(default=None, max_length=200)
    postal_code: OneLine | None = Field(default=None, max_length=20)
    city: OneLine | None = Field(default=None, max_length=100)
    country: Country = "SE"
    external_ref: OneLine | None = Field(default=None, max_length=100)


class ItemIn(BaseModel):
    """A covered machine; its serial number is unique per manufacturer (another owner's → 409)."""

    customer_id: uuid.UUID
    manufacturer_no: OneLine = Field(min_length=1, max_length=100)
    model: OneLine = Field(min_length=1, max_length=100)
    serial_no: OneLine = Field(min_length=1, max_length=100)
    sku: OneLine | None = Field(default=None, max_length=64, description="the product that usually covers it")
    site_id: uuid.UUID | None = None
    install_date: BoundedDate | None = None
    external_ref: OneLine | None = Field(default=None, max_length=100)


class ItemUpdateIn(BaseModel):
    """Move an item to another site, correct its install date or product; fields left out stay."""

    site_id: uuid.UUID | None = None
    install_date: BoundedDate | None = None
    sku: OneLine | None = Field(default=None, max_length=64)


class LineIn(BaseModel):
    sku: OneLine = Field(min_length=1, max_length=64)
    manufacturer_no: OneLine = Field(min_length=1, max_length=100)
    model: OneLine = Field(min_length=1, max_length=100)
    serial_no: OneLine = Field(min_length=1, max_length=100)
    annual_price: Decimal | None = Field(
        default=None, ge=0, max_digits=14, decimal_places=2, description="unit price per year; default: list"
    )
    quantity: int = Field(default=1, ge=1, le=100_000)
    start_date: BoundedDate | None = Field(
        default=None, description="the line's first day; default: the term's"
    )
    end_date: BoundedDate | None = Field(default=None, description="the line's last day; default: the term's")


class ContractTermsIn(BaseModel):
    """How a contract is billed, priced and renewed (docs/contracts-model.md)."""

    billing_interval_months: BillingInterval = 12
    billing_timing: Literal["advance", "arrears"] = "advance"
    price_policy: Literal["fixed", "list", "uplift_pct", "uplift_index"] = "fixed"
    uplift_pct: Decimal | None = Field(default=None, ge=-50, le=100, max_digits=6, decimal_places=3)
    uplift_index: OneLine | None = Field(default=None, max_length=50)
    auto_renew: bool = False
    renewal_term_months: int = Field(default=12, ge=1, le=120)
    notice_days: int = Field(default=0, ge=0, le=730)


class ContractIn(ContractTermsIn):
    customer_id: uuid.UUID
    currency: Currency = "SEK"
    start_date: BoundedDate = Field(description=f"the first covered day, from {EARLIEST_DATE}")
    end_date: BoundedDate = Field(
        description=f"the last covered day: not before start_date, a term of at most {MAX_TERM_YEARS} years"
    )
    lines: list[LineIn] = Field(min_length=1, max_length=1000)
    status: Literal["draft", "active"] = "active"
    external_ref: OneLine | None = Field(default=None, max_length=100, description="the id in the CRM")

    @field_validator("end_date")
    @classmethod
    def _within_term(cls, end: date, info: ValidationInfo) -> date:
        start = info.data.get("start_date")
        if start is None:  # start_date itself was refused; that error says why
            return end
        if end < start:
            raise ValueError(f"end_date {end} (the last covered day) must not be before start_date {start}")
        if end >= term_limit(start):
            raise ValueError(
                f"a contract term is at most {MAX_TERM_YEARS} years: "
                f"end_date must be before {term_limit(start)}, not {end}"
            )
        return end


class BillingRunIn(BaseModel):
    as_of: BoundedDate | None = Field(
        default=None,
        description="bill what is due by this date (default today); at most one billing period "
        f"({MAX_AS_OF_AHEAD.days} days) after today",
    )
    run_key: OneLine | None = Field(
        default=None, max_length=200, description="reusing a finished run's key creates nothing new"
    )
    invoice_per: Literal["customer", "contract"] | None = Field(
        default=None,
        description="one invoice per customer (and currency) or per contract; default the billing setting",
    )

    @field_validator("as_of")
    @classmethod
    def _not_too_far_ahead(cls, as_of: date | None) -> date | None:
        latest = datetime.now(UTC).date() + MAX_AS_OF_AHEAD
        if as_of is not None and as_of > latest:
            raise ValueError(
                f"as_of may be at most one billing period ({MAX_AS_OF_AHEAD.days} days) after today: "
                f"{latest} at the latest, not {as_of}"
            )
        return as_of


class AmendIn(BaseModel):
    """What every workflow operation takes: the version the user saw (a stale one is refused with 409)."""

    version: int = Field(ge=1)
    effective_date: BoundedDate


class NewItemIn(BaseModel):
    """An item to cover from the effective date: registered or new (by manufacturer and serial)."""

    sku: OneLine = Field(min_length=1, max_length=64)
    manufacturer_no: OneLine = Field(min_length=1, max_length=100)
    model: OneLine = Field(default="", max_length=100)
    serial_no: OneLine = Field(min_length=1, max_length=100)
    annual_price: Decimal | None = Field(
        default=None, ge=0, max_digits=14, decimal_places=2, description="unit price per year; default: list"
    )
    quantity: int = Field(default=1, ge=1, le=100_000)


class AddItemsIn(AmendIn):
    items: list[NewItemIn] = Field(min_length=1, max_length=1000)


class RemoveItemsIn(AmendIn):
    item_ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)


class LinePriceIn(BaseModel):
    line_id: uuid.UUID
    unit_price: Decimal = Field(ge=0, max_digits=14, decimal_places=2)


class ChangePricesIn(AmendIn):
    """New unit prices from the effective date: `lines` one by one, or `percent` for `line_ids` (none:
    every line)."""

    lines: list[LinePriceIn] = Field(default=[], max_length=1000)
    percent: Decimal | None = Field(default=None, ge=-90, le=1000, max_digits=7, decimal_places=3)
    line_ids: list[uuid.UUID] = Field(default=[], max_length=1000)


class TerminateIn(AmendIn):
    """`effective_date` is the last covered day."""

    reason: OneLine = Field(min_length=1, max_length=500)


class BillNowIn(BaseModel):
    version: int = Field(ge=1)
    as_of: BoundedDate | None = Field(
        default=None, description="bill periods starting by this day; default today"
    )


# --- Contract selections and bulk jobs (issue 8, bulk) ---
ContractStatus = Literal["draft", "active", "expiring", "renewed", "expired", "terminated"]
MAX_LISTED = 100_000  # an uploaded list of contract numbers (or ticked ids) holds at most this many


class ContractSelectionIn(BaseModel):
    """Which contracts: every given filter must match; the status is the one the calendar gives today."""

    customer_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    sku: Annotated[OneLine, Field(max_length=200)] | None = None
    vendor: Annotated[OneLine, Field(max_length=200)] | None = None
    end_from: BoundedDate | None = None
    end_to: BoundedDate | None = None
    status: ContractStatus | None = None
    contract_nos: list[Annotated[OneLine, Field(max_length=100)]] = Field(default=[], max_length=MAX_LISTED)
    contract_ids: list[uuid.UUID] = Field(default=[], max_length=MAX_LISTED)


class BulkJobIn(BaseModel):
    """One bulk operation on a selection. coterminate: `mode` (`date` with `end_date`, or the `latest` /
    `earliest` end in the selection); edit: any of billing_interval_months, price_policy, uplift_pct,
    auto_renew; reorganise: the items (of `site_id`, or all) move to `target_id` from `effective_date`;
    merge: every item of the selected contracts moves to `target_id` and they end the day before; renew:
    a successor for the next renewal term (uplift % applied when that is the policy); split: each
    contract's lines of other sites (or products, `split_by`) than its first move to new contracts from
    `effective_date`."""

    kind: Literal["coterminate", "edit", "reorganise", "merge", "renew", "split"]
    selection: ContractSelectionIn
    mode: Literal["date", "latest", "earliest"] = "date"
    end_date: BoundedDate | None = None
    billing_interval_months: BillingInterval | None = None
    price_policy: Literal["fixed", "list", "uplift_pct", "uplift_index"] | None = None
    uplift_pct: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=3)
    auto_renew: bool | None = None
    target_id: uuid.UUID | None = None
    effective_date: BoundedDate | None = None
    site_id: uuid.UUID | None = None
    split_by: Literal["site", "product"] | None = None


class IndexValueIn(BaseModel):
    """One value of an index series (e.g. KPI) for one year; entering a year again corrects it."""

    name: OneLine = Field(min_length=1, max_length=40)
    period: int = Field(ge=1900, le=2200, description="the year the value is for")
    value: Decimal = Field(gt=0, max_digits=14, decimal_places=4)


class PaymentIn(BaseModel):
    """A payment staff register; matched by `reference` (OCR) or else `invoice_no`."""

    payment_id: OneLine = Field(min_length=1, max_length=100, description="the bank's or ledger's id")
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: Currency = "SEK"
    paid_on: BoundedDate
    reference: str | None = Field(default=None, max_length=40, pattern=r"^[0-9 ]*$", description="OCR number")
    invoice_no: str | None = Field(default=None, max_length=40, pattern=r"^[A-Za-z0-9-]*$")
    payer: OneLine = Field(default="", max_length=200)


class ResolvePaymentIn(BaseModel):
    """The invoice to apply an unmatched payment to: by id, or by its number."""

    invoice_id: uuid.UUID | None = None
    invoice_no: str | None = Field(default=None, max_length=40, pattern=r"^[A-Za-z0-9-]+$")
