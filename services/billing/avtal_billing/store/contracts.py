"""Contracts and buyers as billing knows them (asyncpg)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from avtal_billing.domain.contracts import Buyer, Contract

# States may arrive in any order: only a newer version replaces what is stored, all of it.
_APPLY = """
INSERT INTO contracts (contract_id, contract_no, customer_id, customer_name, customer_email, locale,
                       currency, version, status, buyer, state)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (contract_id) DO UPDATE SET contract_no = EXCLUDED.contract_no,
    customer_id = EXCLUDED.customer_id, customer_name = EXCLUDED.customer_name,
    customer_email = EXCLUDED.customer_email, locale = EXCLUDED.locale, currency = EXCLUDED.currency,
    version = EXCLUDED.version, status = EXCLUDED.status, buyer = EXCLUDED.buyer, state = EXCLUDED.state
WHERE contracts.version < EXCLUDED.version
"""
# The newest details any contract state carried (by when the event happened).
_SEEN = """
INSERT INTO customers (customer_id, name, email, locale, address_line, postal_code, city, country, tax_id,
                       vat_rate, reverse_charge, payment_terms_days, seen_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (customer_id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
    locale = EXCLUDED.locale, address_line = EXCLUDED.address_line, postal_code = EXCLUDED.postal_code,
    city = EXCLUDED.city, country = EXCLUDED.country, tax_id = EXCLUDED.tax_id,
    vat_rate = EXCLUDED.vat_rate, reverse_charge = EXCLUDED.reverse_charge,
    payment_terms_days = EXCLUDED.payment_terms_days, seen_at = EXCLUDED.seen_at
WHERE customers.seen_at < EXCLUDED.seen_at
"""
_STATE = "SELECT state FROM contracts WHERE contract_id = $1"
# Announced price changes: a line starting after `$2` that continues another line of the same item at
# another price (contracts splits a line at a price change's effective date).
_NOTICES = """
SELECT c.contract_id, n->>'start_date' AS date, o->>'annual_price' AS old, n->>'annual_price' AS new,
       (n->>'product_name') || ' · S/N ' || (n->'item'->>'serial_no') AS description
FROM contracts c
CROSS JOIN LATERAL jsonb_array_elements(c.state->'lines') n
JOIN LATERAL jsonb_array_elements(c.state->'lines') o
  ON o->'item'->>'item_id' = n->'item'->>'item_id'
 AND (o->>'end_date')::date = (n->>'start_date')::date - 1
WHERE c.contract_id = ANY($1::uuid[]) AND c.state IS NOT NULL AND (n->>'start_date')::date > $2
  AND (o->>'annual_price')::numeric <> (n->>'annual_price')::numeric
ORDER BY c.contract_id, date, description
"""


_BUYER_FIELDS = tuple(Buyer.__dataclass_fields__)


def buyer_json(b: Buyer) -> dict[str, Any]:
    """The buyer as a JSON object (ids and rates as strings); built directly, as runs write thousands."""
    out = {f: getattr(b, f) for f in _BUYER_FIELDS}
    out["customer_id"], out["vat_rate"] = str(b.customer_id), str(b.vat_rate)
    return out


def buyer_from(value: dict[str, Any] | None) -> Buyer | None:
    """A buyer stored as JSON (None for rows from before issue 9)."""
    if value is None:
        return None
    d = dict(value)
    d["vat_rate"] = Decimal(str(d["vat_rate"]))
    d["customer_id"] = uuid.UUID(str(d["customer_id"]))
    return Buyer(**d)


class ContractRepo:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def apply(self, c: Contract, state: dict[str, Any] | None = None) -> bool:
        """Store the contract unless a newer version is known; True if this version was stored."""
        status = await self._conn.execute(
            _APPLY,
            c.contract_id,
            c.contract_no,
            c.customer_id,
            c.customer_name,
            c.customer_email,
            c.locale,
            c.currency,
            c.version,
            c.status,
            buyer_json(c.billed_to()),
            state,
        )
        return str(status).endswith(" 1")

    async def price_notices(self, contract_ids: list[Any], after: Any) -> dict[Any, list[dict[str, str]]]:
        """Per contract, the price changes its lines announce from after `after` on."""
        out: dict[Any, list[dict[str, str]]] = {}
        for r in await self._conn.fetch(_NOTICES, contract_ids, after):
            out.setdefault(r["contract_id"], []).append(
                {k: r[k] for k in ("date", "old", "new", "description")}
            )
        return out

    async def state(self, contract_id: Any) -> dict[str, Any] | None:
        """The newest contract.state billing stored for the contract (None: unknown, or from before 9)."""
        found: dict[str, Any] | None = await self._conn.fetchval(_STATE, contract_id)
        return found


class CustomerRepo:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def seen(self, b: Buyer, at: datetime) -> None:
        """Keep `b` as the customer's details unless details seen later are stored."""
        await self._conn.execute(_SEEN, *(getattr(b, f) for f in Buyer.__dataclass_fields__), at)
