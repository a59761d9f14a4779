"""What a user may see: every read goes through here, so object-level checks live in one place."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, TypeVar

from litestar.plugins.problem_details import ProblemDetailsException
from pydantic import BaseModel, TypeAdapter, ValidationError

from avtal_common.api.pagination import Page
from avtal_common.api.responses import (
    Contract,
    Customer,
    Email,
    Invoice,
    Product,
    RevenueMonth,
    SchedulePeriod,
)
from avtal_gateway.adapters.services import Services
from avtal_gateway.domain.users import User

T = TypeVar("T", bound=BaseModel)


def _scope(user: User, customer_id: uuid.UUID | None) -> uuid.UUID | None:
    """Staff may filter by any customer; a customer user is always held to its own."""
    return customer_id if user.is_staff else user.customer_id


def parse(service: str, shape: Any, raw: Any) -> Any:
    """A service's JSON as the public model; an answer that does not fit is the service's failure."""
    try:
        return TypeAdapter(shape).validate_python(raw)
    except ValidationError as exc:
        raise ProblemDetailsException(
            status_code=502,
            title=f"The {service} service answered unexpectedly",
            detail=f"{exc.error_count()} field(s) did not match the public API; the error was logged",
        ) from exc


async def page(
    svc: Services, service: str, path: str, item: type[T], limit: int, offset: int, **filters: Any
) -> Page[T]:
    raw = await svc.json(service, "GET", path, params={**filters, "limit": limit, "offset": offset})
    return parse(service, Page[item], raw)  # type: ignore[valid-type]  # a runtime-parametrised generic


async def contracts(
    svc: Services, user: User, customer_id: uuid.UUID | None = None, limit: int = 100, offset: int = 0
) -> Page[Contract]:
    scope = _scope(user, customer_id)
    return await page(svc, "contracts", "/contracts/", Contract, limit, offset, customer_id=scope)


async def contract(svc: Services, user: User, contract_id: uuid.UUID) -> Contract:
    found: Contract = parse(
        "contracts", Contract, await svc.json("contracts", "GET", f"/contracts/{contract_id}")
    )
    user.require_visible(found.customer_id, f"contract {contract_id}")
    return found


async def invoices(
    svc: Services,
    user: User,
    customer_id: uuid.UUID | None = None,
    contract_id: uuid.UUID | None = None,
    limit: int = 100,
    offset: int = 0,
    kind: str | None = None,
) -> Page[Invoice]:
    scope = _scope(user, customer_id)
    return await page(
        svc, "billing", "/invoices/", Invoice, limit, offset, customer_id=scope, contract_id=contract_id,
        kind=kind,
    )  # fmt: skip


def vat_groups(inv: Invoice) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(rate, net, VAT) per VAT rate, highest rate first: the sums of the invoice's own lines."""
    groups: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for ln in inv.lines:
        net, vat = groups.get(ln.vat_rate, (Decimal("0.00"), Decimal("0.00")))
        groups[ln.vat_rate] = (net + ln.amount, vat + ln.vat)
    return [(rate, *groups[rate]) for rate in sorted(groups, reverse=True)]


async def invoice(svc: Services, user: User, invoice_id: uuid.UUID) -> Invoice:
    found: Invoice = parse("billing", Invoice, await svc.json("billing", "GET", f"/invoices/{invoice_id}"))
    user.require_visible(found.customer_id, f"invoice {invoice_id}")
    return found


async def invoice_pdf(svc: Services, user: User, invoice_id: uuid.UUID) -> tuple[str, bytes]:
    inv = await invoice(svc, user, invoice_id)
    r = await svc.request("billing", "GET", f"/invoices/{invoice_id}/pdf")
    return inv.invoice_no, r.content


async def schedule(svc: Services, user: User, contract_id: uuid.UUID) -> list[SchedulePeriod]:
    await contract(svc, user, contract_id)
    raw = await svc.json("billing", "GET", f"/contracts/{contract_id}/schedule")
    return list(parse("billing", list[SchedulePeriod], raw))


async def products(svc: Services, limit: int = 100, offset: int = 0) -> Page[Product]:
    return await page(svc, "catalog", "/products/", Product, limit, offset)


async def customers(svc: Services, limit: int = 100, offset: int = 0) -> Page[Customer]:
    return await page(svc, "contracts", "/customers/", Customer, limit, offset)


async def emails(
    svc: Services,
    limit: int = 100,
    offset: int = 0,
    status: str | None = None,
    customer_id: str | None = None,
) -> Page[Email]:
    return await page(
        svc, "notifier", "/emails/", Email, limit, offset, status=status, customer_id=customer_id
    )


async def revenue(svc: Services) -> list[RevenueMonth]:
    return list(
        parse("reporting", list[RevenueMonth], await svc.json("reporting", "GET", "/revenue/monthly"))
    )
