"""Vendors and distributors (asyncpg)."""

from __future__ import annotations

import asyncpg

from avtal_catalog.domain.prices import Party
from avtal_common.errors import NotFound

_UPSERT = """
INSERT INTO parties (party_id, kind, code, name) VALUES ($1, $2, $3, $4)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name
RETURNING party_id, kind, code, name
"""
_BY_CODE = "SELECT party_id, kind, code, name FROM parties WHERE code = $1"
_LIST = """
SELECT party_id, kind, code, name FROM parties WHERE ($1::text IS NULL OR kind = $1) ORDER BY kind, code
"""


class PartyRepo:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def save(self, party: Party) -> Party:
        """Insert, or rename the party with the same code (its kind and id stay)."""
        row = await self._conn.fetchrow(_UPSERT, party.party_id, party.kind, party.code, party.name)
        return Party(**dict(row))

    async def by_code(self, code: str) -> Party:
        row = await self._conn.fetchrow(_BY_CODE, code)
        if row is None:
            raise NotFound(f"no vendor or distributor has the code {code!r}")
        return Party(**dict(row))

    async def list(self, kind: str | None) -> list[Party]:
        return [Party(**dict(r)) for r in await self._conn.fetch(_LIST, kind)]
