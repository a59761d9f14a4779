"""The customers import target: upsert by external_ref in two set-based statements."""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel

from avtal_common.csvimport import Column, ImportOptions, ImportReport, reject
from avtal_common.outbox import add_events, new_envelope
from avtal_common.payloads.customers import CustomerState
from avtal_common.topics import CUSTOMER_STATE
from avtal_contracts.domain.customers import billing_ref
from avtal_contracts.domain.imports import CUSTOMER_COLUMNS, CustomerRow
from avtal_contracts.store.customers import COLUMNS, customer

_STAGING = """
CREATE TEMP TABLE import_customers (
    row_no int, external_ref text, name text, email text, locale text, contact_name text, phone text,
    address_line text, postal_code text, city text, country text, currency text, payment_terms_days int,
    tax_id text, vat_rate numeric, reverse_charge boolean, external_ids text
) ON COMMIT DROP
"""
_DUPLICATE = """
SELECT row_no, 'external_ref', format('customer %s is also in row %s; keep one of them', external_ref, first)
FROM (SELECT row_no, external_ref, min(row_no) OVER (PARTITION BY external_ref) AS first
      FROM import_customers) d
WHERE row_no <> first
"""
# Customer.check's rule for what the row leaves stored: reverse charge on, no VAT number after the row.
_REVERSE_WITHOUT_VAT = """
SELECT s.row_no, 'tax_id', 'reverse charge needs the customer''s VAT number (tax_id): invoices must show it'
FROM import_customers s LEFT JOIN customers c USING (external_ref)
WHERE coalesce(s.reverse_charge, c.reverse_charge, false) AND s.tax_id IS NULL
  AND ({tax_id_given} OR c.tax_id IS NULL)
"""
# field → (its value from the staged row `s`, the stored one `c` when the cell is blank).
# Blank cells of optional text fields clear them; blank cells of fields with a default keep the stored value.
_KEEP = {"locale", "country", "currency", "payment_terms_days", "vat_rate", "reverse_charge", "external_ids"}
_FIELDS = (
    "name",
    "email",
    "locale",
    "contact_name",
    "phone",
    "address_line",
    "postal_code",
    "city",
    "country",
    "currency",
    "payment_terms_days",
    "tax_id",
    "vat_rate",
    "reverse_charge",
    "external_ids",
)
_DEFAULTS = {
    "locale": "'en'",
    "country": "'SE'",
    "currency": "'SEK'",
    "payment_terms_days": "30",
    "vat_rate": "25.00",
    "reverse_charge": "false",
    "external_ids": "'{}'",
}
_UPDATE = """
UPDATE customers c SET ({fields}) = ({given}), version = c.version + 1, updated_at = now()
FROM import_customers s
WHERE c.external_ref = s.external_ref AND ({stored}) IS DISTINCT FROM ({given})
RETURNING c.customer_id
"""
_INSERT = f"""
INSERT INTO customers (customer_id, external_ref, {", ".join(_FIELDS)})
SELECT gen_random_uuid(), s.external_ref, {{values}}
FROM import_customers s
WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.external_ref = s.external_ref)
ORDER BY s.row_no
RETURNING customer_id
"""
_CHANGED = f"SELECT {COLUMNS} FROM customers WHERE customer_id = ANY($1::uuid[])"


def _value(f: str) -> str:
    if f == "external_ids":
        return "coalesce(s.external_ids::jsonb, c.external_ids)"
    return f"coalesce(s.{f}, c.{f})" if f in _KEEP else f"s.{f}"


def _update_sql(present: list[str]) -> str:
    """The update for the fields the file has (names from _FIELDS only, never from the file)."""
    return _UPDATE.format(
        fields=", ".join(present),
        given=", ".join(_value(f) for f in present),
        stored=", ".join(f"c.{f}" for f in present),
    )


def _insert_sql() -> str:
    def value(f: str) -> str:
        staged = "s.external_ids::jsonb" if f == "external_ids" else f"s.{f}"
        return f"coalesce({staged}, {_DEFAULTS[f]})" if f in _DEFAULTS else staged

    return _INSERT.format(values=", ".join(value(f) for f in _FIELDS))


class CustomerImport:
    """Upsert by the customer's external reference; a changed customer gets a new version."""

    columns: tuple[Column, ...] = CUSTOMER_COLUMNS
    row_model: type[BaseModel] = CustomerRow
    staging = "import_customers"

    def staging_ddl(self) -> str:
        return _STAGING

    async def merge(self, conn: asyncpg.Connection, report: ImportReport, options: ImportOptions) -> None:
        present = [f for f in _FIELDS if f in report.mapping]
        checks = (_DUPLICATE, _REVERSE_WITHOUT_VAT.format(tax_id_given=str("tax_id" in present).lower()))
        await reject(conn, self.staging, report, checks)
        updated = await conn.fetch(_update_sql(present)) if present else []
        inserted = await conn.fetch(_insert_sql())
        report.updated = len(updated)
        report.inserted = len(inserted)
        await _publish(conn, [r["customer_id"] for r in [*updated, *inserted]])
        report.unchanged = report.rows_valid - report.updated - report.inserted


async def _publish(conn: asyncpg.Connection, customer_ids: list[object]) -> None:
    """`customer.state` of every inserted or changed customer, in the import's transaction."""
    if not customer_ids:
        return
    found = [customer(r) for r in await conn.fetch(_CHANGED, customer_ids)]
    envelopes = [
        new_envelope(
            CUSTOMER_STATE, "contracts", c.customer_id, CustomerState(customer=billing_ref(c)), c.version
        )
        for c in found
    ]
    await add_events(conn, CUSTOMER_STATE, envelopes)
