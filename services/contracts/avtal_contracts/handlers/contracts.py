"""Contracts use cases: each opens no transaction itself; it runs inside the caller's unit of work."""

from __future__ import annotations

import uuid
from datetime import date

from avtal_common.errors import DomainError
from avtal_common.events import Envelope
from avtal_common.logging import current_correlation_id
from avtal_common.payloads.catalog import ProductUpserted
from avtal_common.payloads.contracts import ContractCreated, ContractLine, CoveredItem, CustomerRef
from avtal_common.topics import CONTRACT_CREATED
from avtal_common.uow import Tx
from avtal_contracts.domain.model import (
    Contract,
    Customer,
    Item,
    LineRequest,
    ProductInfo,
    new_item,
    open_contract,
)
from avtal_contracts.store.repos import ContractRepo, CustomerRepo, ItemRepo, ProductRepo


async def on_product_upserted(tx: Tx, event: Envelope[ProductUpserted]) -> None:
    p = event.data
    await ProductRepo(tx.conn).apply(
        ProductInfo(p.product_id, p.sku, p.name, p.annual_price, p.currency, p.active, event.version)
    )


async def register_customer(tx: Tx, customer: Customer) -> Customer:
    repo = CustomerRepo(tx.conn)
    if customer.external_ref and (existing := await repo.by_external_ref(customer.external_ref)):
        return existing
    await repo.add(customer)
    return customer


async def create_contract(
    tx: Tx,
    customer_id: uuid.UUID,
    currency: str,
    start: date,
    end: date,
    interval_months: int,
    lines: list[dict],
) -> Contract:
    customer = await CustomerRepo(tx.conn).get(customer_id)
    requests = [
        LineRequest(
            await ProductRepo(tx.conn).by_sku(ln["sku"]),
            await _item_for(tx, customer_id, ln),
            ln.get("annual_price"),
        )
        for ln in lines
    ]
    repo = ContractRepo(tx.conn)
    contract = open_contract(
        await repo.next_number(), customer, currency, start, end, interval_months, requests
    )
    await repo.add(contract)
    await repo.audit(contract.contract_id, "created", {"lines": len(lines)}, current_correlation_id())
    await tx.emit(CONTRACT_CREATED, contract.contract_id, contract_created(contract), contract.version)
    return contract


async def _item_for(tx: Tx, customer_id: uuid.UUID, line: dict) -> Item:
    """The customer's existing item with this manufacturer and serial number, or a new one."""
    items = ItemRepo(tx.conn)
    found = await items.find(line["manufacturer_no"].strip(), line["serial_no"].strip())
    if found is not None:
        owner, item = found
        if owner != customer_id:
            raise DomainError(f"item {item.manufacturer_no}/{item.serial_no} belongs to another customer")
        return item
    item = new_item(line["manufacturer_no"], line["model"], line["serial_no"])
    await items.add(customer_id, item)
    return item


def contract_created(c: Contract) -> ContractCreated:
    cust = c.customer
    return ContractCreated(
        contract_id=c.contract_id,
        contract_no=c.contract_no,
        customer=CustomerRef(
            customer_id=cust.customer_id, name=cust.name, email=cust.email, locale=cust.locale
        ),
        currency=c.currency,
        start_date=c.start_date,
        end_date=c.end_date,
        billing_interval_months=c.billing_interval_months,
        status=c.status,
        lines=[
            ContractLine(
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
            for ln in c.lines
        ],
    )
