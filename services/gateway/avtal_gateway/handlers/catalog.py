"""Catalog reads and commands through the catalog's internal API, shared by /api/v1 and the portal."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.exceptions import NotFoundException

from avtal_common.api import catalog
from avtal_common.api.pagination import Page
from avtal_common.api.responses import Product
from avtal_gateway.adapters.services import Services
from avtal_gateway.domain.users import User
from avtal_gateway.handlers.views import page, parse


async def search(svc: Services, user: User, limit: int, offset: int, **filters: Any) -> Page[Product]:
    """Customers see active products only; staff also see retired ones."""
    active_only = None if user.is_staff else True
    return await page(
        svc, "catalog", "/products/", Product, limit, offset, active_only=active_only, **filters
    )


async def product(svc: Services, user: User, product_id: uuid.UUID) -> Product:
    found: Product = parse("catalog", Product, await svc.json("catalog", "GET", f"/products/{product_id}"))
    if not (user.is_staff or found.active):
        raise NotFoundException(f"product {product_id} is retired")
    return found


async def prices(svc: Services, product_id: uuid.UUID) -> list[catalog.PriceEntry]:
    raw = await svc.json("catalog", "GET", f"/products/{product_id}/prices")
    return list(parse("catalog", list[catalog.PriceEntry], raw))


async def add_price(
    svc: Services, user: User, product_id: uuid.UUID, data: catalog.PriceEntryIn
) -> catalog.PriceEntry:
    body = {**data.model_dump(mode="json"), "by": user.email}
    raw = await svc.json("catalog", "POST", f"/products/{product_id}/prices", json=body)
    made: catalog.PriceEntry = parse("catalog", catalog.PriceEntry, raw)
    return made


async def retire(svc: Services, product_id: uuid.UUID) -> Product:
    made: Product = parse(
        "catalog", Product, await svc.json("catalog", "POST", f"/products/{product_id}/retire")
    )
    return made


async def parties(svc: Services, kind: str | None = None) -> list[catalog.Party]:
    raw = await svc.json("catalog", "GET", "/parties/", params={"kind": kind})
    return list(parse("catalog", list[catalog.Party], raw))


async def levels(svc: Services) -> list[catalog.MaintenanceLevel]:
    raw = await svc.json("catalog", "GET", "/maintenance-levels/")
    return list(parse("catalog", list[catalog.MaintenanceLevel], raw))


async def preview(svc: Services, user: User, data: catalog.PriceJobIn) -> catalog.PriceJob:
    body = {**data.model_dump(mode="json"), "by": user.email}
    made: catalog.PriceJob = parse(
        "catalog", catalog.PriceJob, await svc.json("catalog", "POST", "/price-jobs/", json=body)
    )
    return made


async def job(svc: Services, job_id: uuid.UUID) -> catalog.PriceJob:
    made: catalog.PriceJob = parse(
        "catalog", catalog.PriceJob, await svc.json("catalog", "GET", f"/price-jobs/{job_id}")
    )
    return made


async def jobs(svc: Services, limit: int, offset: int) -> Page[catalog.PriceJob]:
    return await page(svc, "catalog", "/price-jobs/", catalog.PriceJob, limit, offset)


async def job_rows(svc: Services, job_id: uuid.UUID, limit: int, offset: int) -> Page[catalog.PriceJobRow]:
    return await page(svc, "catalog", f"/price-jobs/{job_id}/rows", catalog.PriceJobRow, limit, offset)


async def decide(svc: Services, user: User, job_id: uuid.UUID, action: str) -> catalog.PriceJob:
    """`action` is "apply" or "revert"; the signed-in user is the audit entry's who."""
    raw = await svc.json("catalog", "POST", f"/price-jobs/{job_id}/{action}", json={"by": user.email})
    made: catalog.PriceJob = parse("catalog", catalog.PriceJob, raw)
    return made
