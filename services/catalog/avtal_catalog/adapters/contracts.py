"""What the catalog asks the contracts service: the annual value of active lines per product."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Protocol, runtime_checkable

import httpx
from litestar.plugins.problem_details import ProblemDetailsException

Usage = dict[uuid.UUID, tuple[str, Decimal]]


# runtime_checkable: Litestar checks an injected dependency against its annotation.
@runtime_checkable
class ContractUsage(Protocol):
    async def annual_values(self, product_ids: set[uuid.UUID]) -> Usage:
        """product → (currency, annual value of the active contract lines that use it)."""
        ...


class HttpContractUsage:
    def __init__(self, base_url: str, token: str) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
        )

    async def annual_values(self, product_ids: set[uuid.UUID]) -> Usage:
        if not product_ids:
            return {}
        body = {"product_ids": [str(p) for p in product_ids]}
        try:
            r = await self._client.post("/product-usage", json=body)
            r.raise_for_status()
        except httpx.HTTPError as exc:
            raise ProblemDetailsException(
                status_code=503,
                title="The contracts service is unavailable",
                detail=f"the revenue impact needs it ({type(exc).__name__}); try again shortly",
            ) from exc
        return {uuid.UUID(u["product_id"]): (u["currency"], Decimal(u["annual_value"])) for u in r.json()}

    async def close(self) -> None:
        await self._client.aclose()
