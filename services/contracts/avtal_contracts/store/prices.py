"""List price changes of products, as catalog.price.changed told them (asyncpg)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

import asyncpg

_ADD = """
INSERT INTO product_price_changes (product_id, job_id, party_code, party_kind, reverted, currency,
                                   old_price, new_price, effective_from)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING
"""
_FOR_PRODUCT = """
SELECT job_id, party_code, party_kind, reverted, currency, old_price, new_price, effective_from
FROM product_price_changes WHERE product_id = $1 ORDER BY received_at, party_code
"""
# Active lines' annual value per product (the price update tool's revenue impact).
_USAGE = """
SELECT l.product_id, c.currency, sum(l.annual_price) AS annual_value
FROM contract_lines l JOIN contracts c USING (contract_id)
WHERE c.status = 'active' AND l.product_id = ANY($1::uuid[])
GROUP BY l.product_id, c.currency
"""


# Open contracts following the price list with a list-priced line of the product still running on `since`.
_FOLLOWING = """
SELECT c.contract_id FROM contracts c
WHERE c.price_policy = 'list' AND c.status IN ('draft', 'active', 'expiring') AND c.currency = $2
  AND c.end_date >= $3
  AND EXISTS (SELECT 1 FROM contract_lines l WHERE l.contract_id = c.contract_id AND l.product_id = $1
              AND l.price_source = 'list' AND l.end_date >= $3)
ORDER BY c.contract_no
"""


class ProductPriceRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Rows of (product_id, job_id, party_code, party_kind, reverted, currency, old, new, from)."""
        await self._conn.executemany(_ADD, rows)

    async def for_product(self, product_id: uuid.UUID) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_FOR_PRODUCT, product_id)]

    async def following_list(self, product_id: uuid.UUID, currency: str, since: date) -> list[uuid.UUID]:
        """Contracts on policy 'list' with a list-priced line of the product on or after `since`."""
        return [r["contract_id"] for r in await self._conn.fetch(_FOLLOWING, product_id, currency, since)]

    async def usage(self, product_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._conn.fetch(_USAGE, product_ids)]
