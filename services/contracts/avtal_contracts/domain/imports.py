"""What a customers, covered-items or contracts CSV row must be: typed rows, columns and header aliases."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from avtal_common.api.commands import BoundedDate
from avtal_common.api.text import ONE_LINE_PATTERN
from avtal_common.csvimport import Column

ImportKind = Literal["customers", "items", "contracts"]

# Regex constraints (checked in pydantic-core) rather than per-character validators: imports are large.
Line = Annotated[str, StringConstraints(strip_whitespace=True, pattern=ONE_LINE_PATTERN)]
Ref = Annotated[Line, StringConstraints(min_length=1, max_length=100)]
Text = Annotated[Line, StringConstraints(max_length=200)]
Upper = BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v)
Country = Annotated[str, Upper, StringConstraints(pattern=r"^[A-Z]{2}$")]
Currency = Annotated[str, Upper, StringConstraints(pattern=r"^[A-Z]{3}$")]
Email = Annotated[Line, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Lower = BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v)
_YES, _NO = {"yes", "y", "true", "1", "ja", "j", "x"}, {"no", "n", "false", "0", "nej"}


def _flag(value: Any) -> Any:
    """yes/no, true/false, 1/0, ja/nej (blank: not given)."""
    if isinstance(value, str):
        v = value.strip().lower()
        if v in _YES | _NO:
            return v in _YES
        raise ValueError("must be yes or no (or true/false, 1/0, ja/nej)")
    return value


def _ids(value: Any) -> Any:
    """'erp=4711|crm=C-9' → '{"erp": "4711", "crm": "C-9"}' (JSON text: the staging column is text)."""
    if not isinstance(value, str):
        return value
    pairs = [p.split("=", 1) for p in value.split("|") if p.strip()]
    if any(len(p) != 2 or not p[0].strip() for p in pairs):
        raise ValueError("external ids are written system=id, several joined by |: erp=4711|crm=C-9")
    return json.dumps({k.strip(): v.strip() for k, v in pairs})


Flag = Annotated[bool, BeforeValidator(_flag)]


def _interval(months: int) -> int:
    if months not in (1, 3, 6, 12):
        raise ValueError("billing_interval_months is 1, 3, 6 or 12")
    return months


class CustomerRow(BaseModel):
    """A customer as a CSV row, upserted by `external_ref`; the field order is the staging table's."""

    model_config = ConfigDict(frozen=True)

    external_ref: Ref
    name: Annotated[Line, StringConstraints(min_length=1, max_length=200)]
    email: Email
    locale: Annotated[Literal["en", "sv"], Lower] | None = None
    contact_name: Text | None = None
    phone: Annotated[Line, StringConstraints(max_length=50)] | None = None
    address_line: Text | None = None
    postal_code: Annotated[Line, StringConstraints(max_length=20)] | None = None
    city: Annotated[Line, StringConstraints(max_length=100)] | None = None
    country: Country | None = None
    currency: Currency | None = None
    payment_terms_days: Annotated[int, Field(ge=0, le=365)] | None = None
    tax_id: Annotated[Line, StringConstraints(max_length=40)] | None = None
    vat_rate: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)] | None = None
    reverse_charge: Flag | None = None
    external_ids: Annotated[str, BeforeValidator(_ids)] | None = None

    @model_validator(mode="after")
    def _reverse_charge_needs_vat_number(self) -> CustomerRow:
        if self.reverse_charge and not self.tax_id:
            raise ValueError("reverse charge needs the customer's VAT number in tax_id")
        return self


REF = ("customer_ref", "customer_no", "customer_id", "kundnummer", "kundnr", "crm_id", "account")
CUSTOMER_COLUMNS = (
    Column("external_ref", ("ref", "external_id", *REF)),
    Column("name", ("customer", "customer_name", "company", "namn", "företag")),
    Column("email", ("e_mail", "billing_email", "invoice_email", "e_post", "epost")),
    Column("locale", ("language", "lang", "språk"), required=False),
    Column("contact_name", ("contact", "kontaktperson"), required=False),
    Column("phone", ("telephone", "tel", "telefon"), required=False),
    Column("address_line", ("address", "street", "adress", "gatuadress"), required=False),
    Column("postal_code", ("zip", "postcode", "postnummer"), required=False),
    Column("city", ("town", "ort", "stad"), required=False),
    Column("country", ("country_code", "land"), required=False),
    Column("currency", ("cur", "ccy", "valuta"), required=False),
    Column("payment_terms_days", ("payment_terms", "terms", "betalningsvillkor"), required=False),
    Column("tax_id", ("vat_no", "vat_number", "vat_id", "momsnummer", "org_no"), required=False),
    Column("vat_rate", ("vat", "vat_pct", "moms"), required=False, decimal=True),
    Column("reverse_charge", ("omvänd_moms", "reverse_vat"), required=False),
    Column("external_ids", ("ids", "other_ids"), required=False),
)


class ItemRow(BaseModel):
    """A covered machine as a CSV row, matched by manufacturer and serial number."""

    model_config = ConfigDict(frozen=True)

    customer_ref: Ref
    manufacturer_no: Ref
    model: Ref
    serial_no: Ref
    sku: Annotated[Line, StringConstraints(max_length=64)] | None = None
    site: Text | None = None
    install_date: BoundedDate | None = None
    external_ref: Ref | None = None


SERIAL = ("serial", "serial_number", "serienummer", "sn")
MAKER = ("manufacturer", "manufacturer_number", "make", "tillverkare", "vendor_no")
ITEM_COLUMNS = (
    Column("customer_ref", REF),
    Column("manufacturer_no", MAKER),
    Column("model", ("model_name", "modell")),
    Column("serial_no", SERIAL),
    Column("sku", ("product", "article", "artikelnummer", "product_code"), required=False),
    Column("site", ("site_name", "location", "plats", "anläggning"), required=False),
    Column("install_date", ("installed", "installed_on", "installationsdatum"), required=False),
    Column("external_ref", ("item_ref", "asset_id", "asset_no", "item_id"), required=False),
)


class ContractLineRow(BaseModel):
    """One line of one contract; rows with the same `contract_ref` make one contract (its terms must
    agree on every row)."""

    model_config = ConfigDict(frozen=True)

    contract_ref: Ref
    customer_ref: Ref
    start_date: BoundedDate
    end_date: BoundedDate
    currency: Currency | None = None
    billing_interval_months: Annotated[int, AfterValidator(_interval)] | None = None
    billing_timing: Annotated[Literal["advance", "arrears"], Lower] | None = None
    price_policy: Annotated[Literal["fixed", "list", "uplift_pct", "uplift_index"], Lower] | None = None
    uplift_pct: Annotated[Decimal, Field(ge=-100, le=100, max_digits=6, decimal_places=3)] | None = None
    auto_renew: Flag | None = None
    notice_days: Annotated[int, Field(ge=0, le=730)] | None = None
    status: Annotated[Literal["draft", "active"], Lower] | None = None
    sku: Annotated[Line, StringConstraints(min_length=1, max_length=64)]
    manufacturer_no: Ref
    model: Ref
    serial_no: Ref
    unit_price: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)] | None = None
    quantity: Annotated[int, Field(ge=1, le=100_000)] | None = None
    line_start: BoundedDate | None = None
    line_end: BoundedDate | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> ContractLineRow:
        if self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        first, last = self.line_start or self.start_date, self.line_end or self.end_date
        if not self.start_date <= first <= last <= self.end_date:
            raise ValueError(
                f"the line's days {first}..{last} must lie within {self.start_date}..{self.end_date}"
            )
        return self

    def line_days(self) -> tuple[date, date]:
        return self.line_start or self.start_date, self.line_end or self.end_date


CONTRACT_COLUMNS = (
    Column("contract_ref", ("contract", "contract_no", "contract_id", "avtal", "avtalsnummer", "agreement")),
    Column("customer_ref", REF),
    Column("start_date", ("start", "from", "valid_from", "startdatum")),
    Column("end_date", ("end", "to", "valid_to", "slutdatum")),
    Column("currency", ("cur", "ccy", "valuta"), required=False),
    Column("billing_interval_months", ("interval", "billing_interval", "frequency"), required=False),
    Column("billing_timing", ("timing", "in_advance"), required=False),
    Column("price_policy", ("pricing", "policy"), required=False),
    Column("uplift_pct", ("uplift", "uplift_percent"), required=False, decimal=True),
    Column("auto_renew", ("renew", "autorenew", "förnyas"), required=False),
    Column("notice_days", ("notice", "notice_period_days", "uppsägningstid"), required=False),
    Column("status", (), required=False),
    Column("sku", ("product", "article", "artikelnummer", "product_code")),
    Column("manufacturer_no", MAKER),
    Column("model", ("model_name", "modell")),
    Column("serial_no", SERIAL),
    Column("unit_price", ("price", "annual_price", "pris", "årspris"), required=False, decimal=True),
    Column("quantity", ("qty", "antal"), required=False),
    Column("line_start", ("line_from", "line_start_date"), required=False),
    Column("line_end", ("line_to", "line_end_date"), required=False),
)

COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    "customers": CUSTOMER_COLUMNS,
    "items": ITEM_COLUMNS,
    "contracts": CONTRACT_COLUMNS,
}
ROWS: dict[ImportKind, type[BaseModel]] = {
    "customers": CustomerRow,
    "items": ItemRow,
    "contracts": ContractLineRow,
}
