"""Contract use cases: each runs inside the caller's unit of work (a refusal rolls all of it back)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from avtal_common.logging import current_correlation_id
from avtal_common.payloads.contracts import (
    ContractCreated,
    ContractLine,
    ContractState,
    CoveredItem,
    CustomerRef,
)
from avtal_common.topics import CONTRACT_CREATED, CONTRACT_STATE
from avtal_contracts.domain.commands import ContractLineRequest, CreateContract
from avtal_contracts.domain.contracts import Contract, Line, LineRequest, open_contract
from avtal_contracts.domain.customers import Customer
from avtal_contracts.domain.items import Item, new_item
from avtal_contracts.store.uow import ContractsUnitOfWork


async def create_contract(uow: ContractsUnitOfWork, cmd: CreateContract) -> Contract:
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
        cmd.interval_months,
        requests,
    )
    await uow.contracts.add(contract)
    await uow.contracts.audit(
        contract.contract_id, "created", {"lines": len(contract.lines)}, current_correlation_id()
    )
    await emit_change(uow, contract, CONTRACT_CREATED, contract_created(contract))
    return contract


async def emit_change(uow: ContractsUnitOfWork, contract: Contract, fact_topic: str, fact: BaseModel) -> None:
    """Every change of a contract publishes its full new state and, beside it, the fact: consumers that
    keep a copy upsert the state by version whatever order the topics arrive in (docs/adr/0008)."""
    await uow.emit(CONTRACT_STATE, contract.contract_id, contract_state(contract), contract.version)
    await uow.emit(fact_topic, contract.contract_id, fact, contract.version)


async def _line_request(uow: ContractsUnitOfWork, customer: Customer, ln: ContractLineRequest) -> LineRequest:
    product = await uow.products.by_sku(ln.sku)
    return LineRequest(product, await _covered_item(uow, customer, ln), ln.annual_price)


async def _covered_item(uow: ContractsUnitOfWork, customer: Customer, ln: ContractLineRequest) -> Item:
    """The machine as already registered (`open_contract` checks whose it is), or a new one."""
    found = await uow.items.find(ln.manufacturer_no.strip(), ln.serial_no.strip())
    if found is not None:
        return found
    item = new_item(customer.customer_id, ln.manufacturer_no, ln.model, ln.serial_no)
    await uow.items.add(item)
    return item


def contract_created(c: Contract) -> ContractCreated:
    return ContractCreated(**_fields(c))


def contract_state(c: Contract) -> ContractState:
    return ContractState(**_fields(c))


def _fields(c: Contract) -> dict[str, Any]:
    """The contract as every contract event carries it."""
    cust = c.customer
    return {
        "contract_id": c.contract_id,
        "contract_no": c.contract_no,
        "customer": CustomerRef(
            customer_id=cust.customer_id, name=cust.name, email=cust.email, locale=cust.locale
        ),
        "currency": c.currency,
        "start_date": c.start_date,
        "end_date": c.end_date,
        "billing_interval_months": c.billing_interval_months,
        "status": c.status,
        "lines": [_line(ln) for ln in c.lines],
    }


def _line(ln: Line) -> ContractLine:
    return ContractLine(
        line_id=ln.line_id,
        product_id=ln.product.product_id,
        sku=ln.product.sku,
        product_name=ln.product.name,
        annual_price=ln.annual_price,
        item=CoveredItem(
            item_id=ln.item.item_id,
            manufacturer_no=ln.item.manufacturer_no,
            model=ln.item.model,
            serial_no=ln.item.serial_no,
        ),
    )
