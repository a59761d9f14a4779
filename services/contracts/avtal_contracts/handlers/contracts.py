"""Contract use cases: each runs inside the caller's unit of work (a refusal rolls all of it back)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from pydantic import BaseModel

from avtal_common.logging import current_correlation_id
from avtal_common.payloads.contracts import (
    ContractCreated,
    ContractLine,
    ContractState,
    ContractTerms,
    CoveredItem,
    CustomerRef,
)
from avtal_common.topics import CONTRACT_CREATED, CONTRACT_STATE
from avtal_contracts.domain.commands import ContractLineRequest, CreateContract
from avtal_contracts.domain.contracts import Contract, Line, LineRequest, open_contract
from avtal_contracts.domain.customers import Customer, billing_ref
from avtal_contracts.domain.items import Item, new_item
from avtal_contracts.store.contracts import snapshot
from avtal_contracts.store.uow import ContractsUnitOfWork


async def create_contract(uow: ContractsUnitOfWork, cmd: CreateContract, actor: str = "api") -> Contract:
    """Open a contract for a known customer and the machines it covers; publishes its state and
    contract.created."""
    customer = await uow.customers.get(cmd.customer_id)
    requests = [await _line_request(uow, customer, ln) for ln in cmd.lines]
    contract = open_contract(
        await uow.contracts.next_number(),
        customer,
        cmd.currency,
        cmd.start,
        cmd.end,
        cmd.terms,
        requests,
        cmd.status,
    )
    if cmd.external_ref:
        contract = replace(contract, external_ref=cmd.external_ref)
    await uow.contracts.add(contract)
    await uow.contracts.audit(
        contract.contract_id,
        "created",
        {"lines": len(contract.lines)},
        current_correlation_id(),
        actor=actor,
        version=contract.version,
        effective_date=contract.start_date,
        after=snapshot(contract),
    )
    await emit_change(uow, contract, CONTRACT_CREATED, contract_created(contract))
    return contract


async def commit_change(
    uow: ContractsUnitOfWork,
    before: Contract,
    after: Contract,
    *,
    action: str,
    fact_topic: str,
    fact: BaseModel,
    actor: str,
    effective_date: date,
    detail: dict[str, Any] | None = None,
) -> Contract:
    """The one way a contract changes: store `after` (version one above `before`, else a Conflict),
    audit who did what and when with before and after, and publish its state and the fact."""
    await uow.contracts.save(after)
    await uow.contracts.audit(
        after.contract_id,
        action,
        detail or {},
        current_correlation_id(),
        actor=actor,
        version=after.version,
        effective_date=effective_date,
        before=snapshot(before),
        after=snapshot(after),
    )
    await emit_change(uow, after, fact_topic, fact)
    return after


async def emit_change(uow: ContractsUnitOfWork, contract: Contract, fact_topic: str, fact: BaseModel) -> None:
    """Every change of a contract publishes its full new state and, beside it, the fact: consumers that
    keep a copy upsert the state by version whatever order the topics arrive in (docs/adr/0008)."""
    await uow.emit(CONTRACT_STATE, contract.contract_id, contract_state(contract), contract.version)
    await uow.emit(fact_topic, contract.contract_id, fact, contract.version)


async def _line_request(uow: ContractsUnitOfWork, customer: Customer, ln: ContractLineRequest) -> LineRequest:
    product = await uow.products.by_sku(ln.sku)
    item = await covered_item(uow, customer, ln.manufacturer_no, ln.model, ln.serial_no)
    return LineRequest(product, item, ln.annual_price, ln.quantity, ln.start_date, ln.end_date)


async def covered_item(
    uow: ContractsUnitOfWork, customer: Customer, manufacturer_no: str, model: str, serial_no: str
) -> Item:
    """The machine as already registered (the domain checks whose it is), or a new one."""
    found = await uow.items.find(manufacturer_no.strip(), serial_no.strip())
    if found is not None:
        return found
    item = new_item(customer.customer_id, manufacturer_no, model, serial_no)
    await uow.items.add(item)
    return item


def contract_created(c: Contract) -> ContractCreated:
    return ContractCreated(
        **{k: v for k, v in contract_fields(c).items() if k in ContractCreated.model_fields}
    )


def contract_state(c: Contract) -> ContractState:
    return ContractState(**contract_fields(c))


def contract_fields(c: Contract) -> dict[str, Any]:
    """The contract as every contract event carries it (facts add their own fields to these)."""
    cust = c.customer
    t = c.terms
    return {
        "contract_id": c.contract_id,
        "contract_no": c.contract_no,
        "customer": customer_ref(cust),
        "currency": c.currency,
        "start_date": c.start_date,
        "end_date": c.end_date,
        "billing_interval_months": t.billing_interval_months,
        "status": c.status,
        "lines": [_line(ln) for ln in c.lines],
        "terms": ContractTerms(
            billing_timing=t.billing_timing,
            price_policy=t.price_policy,
            uplift_pct=t.uplift_pct,
            uplift_index=t.uplift_index,
            auto_renew=t.auto_renew,
            renewal_term_months=t.renewal_term_months,
            notice_days=t.notice_days,
        ),
        "terminated_on": c.terminated_on,
        "termination_reason": c.termination_reason,
        "renewed_from": c.renewed_from,
        "renewed_to": c.renewed_to,
    }


# The last customers' refs by object: a batch of contracts loaded together shares one Customer, and
# validating its e-mail again for every event was most of a bulk job's time. The entry holds the
# customer itself, so its id() cannot be reused while it is cached (and a frozen Customer never changes).
_REFS: dict[int, tuple[Customer, CustomerRef]] = {}


def customer_ref(cust: Customer) -> CustomerRef:
    hit = _REFS.get(id(cust))
    if hit is not None and hit[0] is cust:
        return hit[1]
    if len(_REFS) >= 1024:
        _REFS.clear()
    ref = billing_ref(cust)
    _REFS[id(cust)] = (cust, ref)
    return ref


def _line(ln: Line) -> ContractLine:
    return ContractLine(
        line_id=ln.line_id,
        product_id=ln.product.product_id,
        sku=ln.product.sku,
        product_name=ln.product.name,
        annual_price=ln.annual_price,
        unit_price=ln.unit_price,
        quantity=ln.quantity,
        start_date=ln.start_date,
        end_date=ln.end_date,
        vat_rate=ln.product.vat_rate,
        item=CoveredItem(
            item_id=ln.item.item_id,
            manufacturer_no=ln.item.manufacturer_no,
            model=ln.item.model,
            serial_no=ln.item.serial_no,
            site_id=ln.item.site_id,
        ),
    )
