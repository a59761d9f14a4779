"""Contracts as billing knows them (asyncpg)."""

from __future__ import annotations

from typing import Any

from avtal_billing.domain.contracts import Contract

# States may arrive in any order: only a newer version replaces what is stored, all of it.
_APPLY = """
INSERT INTO contracts (contract_id, contract_no, customer_id, customer_name, customer_email, locale,
                       currency, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (contract_id) DO UPDATE SET contract_no = EXCLUDED.contract_no,
    customer_id = EXCLUDED.customer_id, customer_name = EXCLUDED.customer_name,
    customer_email = EXCLUDED.customer_email, locale = EXCLUDED.locale, currency = EXCLUDED.currency,
    version = EXCLUDED.version
WHERE contracts.version < EXCLUDED.version
"""


class ContractRepo:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def apply(self, c: Contract) -> bool:
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
        )
        return str(status).endswith(" 1")
