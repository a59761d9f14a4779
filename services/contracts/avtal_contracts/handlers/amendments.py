"""Workflow operations on one contract: preview (nothing written) or apply (through commit_change)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BaseModel

from avtal_common.errors import Conflict, DomainError
from avtal_common.logging import current_correlation_id
from avtal_common.payloads.contracts import BillRequested, ContractAmended, ContractTerminated
from avtal_common.topics import CONTRACT_AMENDED, CONTRACT_BILL_REQUESTED, CONTRACT_TERMINATED
from avtal_contracts.domain import amendments
from avtal_contracts.domain.amendments import Amendment
from avtal_contracts.domain.contracts import Contract, LineRequest
from avtal_contracts.domain.customers import Customer
from avtal_contracts.domain.items import Item, new_item
from avtal_contracts.handlers.contracts import commit_change, contract_fields, covered_item
from avtal_contracts.store.uow import ContractsUnitOfWork

Operation = Callable[[Contract], Amendment]


async def amend(
    uow: ContractsUnitOfWork,
    contract_id: uuid.UUID,
    seen_version: int | None,
    operation: Operation,
    *,
    actor: str,
    apply: bool,
) -> Amendment:
    """Run `operation` on the contract at the version the caller saw (None: whatever it is now, for
    the system's own changes). A preview checks coverage too but writes nothing."""
    before = await uow.contracts.get(contract_id, for_update=apply)
    if seen_version is not None and before.version != seen_version:
        raise Conflict(
            f"contract {before.contract_no} was changed meanwhile (it is at version {before.version}, "
            f"you saw {seen_version}): reload it and try again"
        )
    a = operation(before)
    if not apply:
        await uow.contracts.check_coverage(a.after)
        return a
    await commit_change(
        uow,
        before,
        a.after,
        action=a.operation,
        fact_topic=CONTRACT_TERMINATED if a.operation == "terminate" else CONTRACT_AMENDED,
        fact=fact(a),
        actor=actor,
        effective_date=a.effective_date,
        detail=detail(a),
    )
    return a


def fact(a: Amendment) -> BaseModel:
    after = a.after
    if a.operation == "terminate":
        return ContractTerminated(
            **contract_fields(after), effective_date=a.effective_date, reason=after.termination_reason or ""
        )
    return ContractAmended(
        **contract_fields(after), operation=a.operation, effective_date=a.effective_date, summary=a.summary
    )


def detail(a: Amendment) -> dict[str, Any]:
    """What the audit entry adds to before/after: the operation's own account of itself."""
    return {
        "summary": a.summary,
        "revenue_impact": str(a.revenue_impact),
        "changes": [
            {
                "change": ch.change,
                "serial_no": (ch.after or ch.before).item.serial_no,  # type: ignore[union-attr]
                "unit_price_before": str(ch.before.unit_price) if ch.before else None,
                "unit_price_after": str(ch.after.unit_price) if ch.after else None,
            }
            for ch in a.changes
        ],
    }


async def add_items(
    uow: ContractsUnitOfWork,
    contract_id: uuid.UUID,
    seen_version: int,
    wanted: list[Any],
    effective: date,
    today: date,
    *,
    actor: str,
    apply: bool,
) -> Amendment:
    """Cover `wanted` items from `effective`: registered machines are found by manufacturer and serial,
    new ones registered (only when applied; a refusal rolls that back with the rest)."""
    c = await uow.contracts.get(contract_id)
    requests = await line_requests(uow, c.customer, wanted, register=apply)

    def op(current: Contract) -> Amendment:
        return amendments.add_items(current, requests, effective, today)

    return await amend(uow, contract_id, seen_version, op, actor=actor, apply=apply)


async def line_requests(
    uow: ContractsUnitOfWork, customer: Customer, wanted: list[Any], *, register: bool
) -> list[LineRequest]:
    """Requests for the items to add (objects with sku, manufacturer_no, model, serial_no,
    annual_price, quantity); a new machine is registered only when the amendment is applied."""
    out = []
    for w in wanted:
        product = await uow.products.by_sku(w.sku)
        item = await _item(uow, customer, w.manufacturer_no, w.model, w.serial_no, register)
        out.append(LineRequest(product, item, w.annual_price, w.quantity))
    return out


async def _item(
    uow: ContractsUnitOfWork,
    customer: Customer,
    manufacturer_no: str,
    model: str,
    serial_no: str,
    register: bool,
) -> Item:
    if register:
        return await covered_item(uow, customer, manufacturer_no, model, serial_no)
    found = await uow.items.find(manufacturer_no.strip(), serial_no.strip())
    return found or new_item(customer.customer_id, manufacturer_no, model, serial_no)


async def request_bill(
    uow: ContractsUnitOfWork, contract_id: uuid.UUID, seen_version: int, as_of: date, actor: str
) -> BillRequested:
    """Ask billing for an off-cycle invoice of the periods starting by `as_of` (audited; the contract
    itself does not change, so its version stays)."""
    c = await uow.contracts.get(contract_id)
    if c.version != seen_version:
        raise Conflict(
            f"contract {c.contract_no} was changed meanwhile (it is at version {c.version}, you saw "
            f"{seen_version}): reload it and try again"
        )
    if c.status == "draft":
        raise DomainError(f"contract {c.contract_no} is a draft: nothing is billed before it is signed")
    request = BillRequested(
        contract_id=c.contract_id, contract_no=c.contract_no, as_of=as_of, requested_by=actor
    )
    await uow.contracts.audit(
        c.contract_id,
        "bill_requested",
        {"summary": f"invoice now the periods starting by {as_of}", "as_of": as_of.isoformat()},
        current_correlation_id(),
        actor=actor,
        version=c.version,
        effective_date=as_of,
    )
    await uow.emit(CONTRACT_BILL_REQUESTED, c.contract_id, request, c.version)
    return request
