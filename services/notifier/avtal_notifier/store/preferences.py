"""Notice preferences per customer and kind (asyncpg)."""

from __future__ import annotations

import uuid

import asyncpg

from avtal_notifier.domain.notices import Preference

_GET = "SELECT kind, enabled, contacts, customer_email FROM notice_preferences WHERE customer_id = $1"
_PUT = """
INSERT INTO notice_preferences (customer_id, kind, enabled, contacts, customer_email, updated_by)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (customer_id, kind) DO UPDATE SET enabled = EXCLUDED.enabled, contacts = EXCLUDED.contacts,
    customer_email = EXCLUDED.customer_email, updated_by = EXCLUDED.updated_by, updated_at = now()
"""


class PreferenceRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def of_customer(self, customer_id: uuid.UUID) -> dict[str, Preference]:
        """The kinds this customer changed; a kind not in it has the default."""
        rows = await self._conn.fetch(_GET, customer_id)
        return {r["kind"]: _preference(r) for r in rows}

    async def get(self, customer_id: uuid.UUID, kind: str) -> Preference:
        return (await self.of_customer(customer_id)).get(kind, Preference(kind))

    async def put(self, customer_id: uuid.UUID, prefs: list[Preference], actor: str) -> None:
        await self._conn.executemany(
            _PUT, [(customer_id, p.kind, p.enabled, list(p.contacts), p.customer_email, actor) for p in prefs]
        )


def _preference(r: asyncpg.Record) -> Preference:
    return Preference(r["kind"], r["enabled"], tuple(r["contacts"]), r["customer_email"])
