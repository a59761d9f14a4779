"""Contract events and billed contracts for billing's handler tests."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from billing.unit.fakes import FakeBillingDb

from avtal_billing.domain.commands import RunBilling
from avtal_billing.handlers.contracts import on_contract_state
from avtal_common import topics
from avtal_common.consumer import EventHandler
from avtal_common.events import Envelope
from avtal_common.payloads.contracts import ContractLine, ContractState, CoveredItem, CustomerRef
from avtal_testing.fakes import deliver

TODAY = date(2026, 3, 1)
ON_CONTRACT_STATE = EventHandler(
    topics.CONTRACT_STATE, ContractState, "billing.on_contract_state", on_contract_state
)


def contract_state(
    start: date = date(2026, 1, 1),
    end: date = date(2026, 12, 31),
    interval: int = 12,
    price: str = "1200.00",
    version: int = 1,
    name: str = "Nordic Freight AB",
    contract_id: uuid.UUID | None = None,
    status: str = "active",
    customer_id: uuid.UUID | None = None,
) -> Envelope[ContractState]:
    """The state contracts publishes; the same `contract_id` and `customer_id` make later versions."""
    contract_id = contract_id or uuid.uuid4()
    data = ContractState(
        contract_id=contract_id,
        contract_no=f"C-{contract_id.hex[:6]}",
        customer=CustomerRef(
            customer_id=customer_id or uuid.uuid4(), name=name, email="ap@nordicfreight.example"
        ),
        currency="SEK",
        start_date=start,
        end_date=end,
        billing_interval_months=interval,
        status=status,
        lines=[
            ContractLine(
                line_id=uuid.uuid4(),
                product_id=uuid.uuid4(),
                sku="PRN-CARE",
                product_name="Printer care",
                item=CoveredItem(item_id=uuid.uuid4(), manufacturer_no="HP", model="X200", serial_no="SN1"),
                annual_price=Decimal(price),
            )
        ],
    )
    return Envelope[ContractState](
        event_type=topics.CONTRACT_STATE,
        producer="contracts",
        aggregate_id=str(contract_id),
        version=version,
        data=data,
    )


async def contracts(db: FakeBillingDb, count: int, **kw: object) -> list[uuid.UUID]:
    """`count` contracts known to billing, each with one period due from 2026-01-01 (yearly)."""
    ids = []
    for _ in range(count):
        event = contract_state(**kw)  # type: ignore[arg-type]
        await deliver(db.uow(), ON_CONTRACT_STATE, event)
        ids.append(event.data.contract_id)
    return ids


def run(key: str = "run-1", as_of: date = date(2026, 1, 15)) -> RunBilling:
    return RunBilling(as_of=as_of, run_key=key, payment_terms_days=30, today=TODAY)
