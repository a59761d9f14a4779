"""Price policy 'list' against the fake unit of work: the vendor list's change reprices the contracts that
follow the list, from its effective date, once; a revert restores; other contracts stay."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

from contracts.unit.fakes import FakeContractsUnitOfWork

from avtal_common.payloads.catalog import PriceChange, PriceChanged
from avtal_common.topics import CONTRACT_AMENDED
from avtal_contracts.domain.contracts import Contract, LineRequest, Terms, open_contract
from avtal_contracts.domain.customers import new_customer
from avtal_contracts.domain.items import new_item
from avtal_contracts.domain.products import ProductInfo
from avtal_contracts.handlers.list_prices import reprice_following_contracts

CARE = ProductInfo(uuid.uuid4(), "CARE", "Care", Decimal("1200.00"), "SEK", True, 1)
ACME = new_customer("Acme AB", "billing@acme.example")
TODAY = date(2025, 1, 10)


def _contract(policy: str, serial: str, price: Decimal | None = None) -> Contract:
    item = new_item(ACME.customer_id, "HP", "LJ", serial)
    terms = Terms(price_policy=policy)
    c = open_contract(
        "C-1", ACME, "SEK", date(2025, 1, 1), date(2025, 12, 31), terms, [LineRequest(CARE, item, price)]
    )
    return replace(c, contract_no=f"C-{serial}")


def _changed(
    new: str, old: str = "1200.00", reverted: bool = False, job: uuid.UUID | None = None
) -> PriceChanged:
    prices = [
        PriceChange(
            party_code=code, party_kind=kind, currency="SEK", old_price=Decimal(o), new_price=Decimal(n)
        )
        for code, kind, o, n in [("ACME-DIST", "distributor", "900", "999"), ("HP", "vendor", old, new)]
    ]
    return PriceChanged(product_id=CARE.product_id, sku="CARE", job_id=job or uuid.uuid4(),
                        effective_from=date(2025, 7, 1), reverted=reverted, prices=prices)  # fmt: skip


def _world(*contracts: Contract) -> FakeContractsUnitOfWork:
    uow = FakeContractsUnitOfWork()
    uow.contracts.rows.update({c.contract_id: c for c in contracts})
    return uow


def _prices(c: Contract) -> list[tuple[date, date, Decimal, str]]:
    return sorted((ln.start_date, ln.end_date, ln.unit_price, ln.price_source) for ln in c.lines)


async def test_a_vendor_list_change_reprices_list_contracts_from_its_date_and_leaves_the_others() -> None:
    follows, fixed, overridden = (
        _contract("list", "A"),
        _contract("fixed", "B"),
        _contract("list", "C", Decimal(5)),
    )
    uow = _world(follows, fixed, overridden)

    changed = await reprice_following_contracts(uow, _changed("1500.00"), TODAY)

    assert changed == 1
    assert _prices(uow.contracts.rows[follows.contract_id]) == [
        (date(2025, 1, 1), date(2025, 6, 30), Decimal("1200.00"), "list"),
        (date(2025, 7, 1), date(2025, 12, 31), Decimal("1500.00"), "list"),
    ]
    assert uow.contracts.rows[fixed.contract_id] == fixed
    assert uow.contracts.rows[overridden.contract_id] == overridden
    assert [(e.topic, e.data.operation) for e in uow.outbox.events if e.topic == CONTRACT_AMENDED] == [
        (CONTRACT_AMENDED, "change_prices")
    ]
    assert [a[1] for a in uow.contracts.audit_log] == ["change_prices"]


async def test_the_same_change_applied_again_changes_nothing() -> None:
    uow = _world(_contract("list", "A"))
    change = _changed("1500.00")

    first = await reprice_following_contracts(uow, change, TODAY)
    again = await reprice_following_contracts(uow, change, TODAY)

    assert (first, again) == (1, 0)
    assert len(uow.contracts.audit_log) == 1


async def test_a_reverted_change_restores_the_old_list_price_from_the_same_day() -> None:
    c = _contract("list", "A")
    uow = _world(c)
    job = uuid.uuid4()
    await reprice_following_contracts(uow, _changed("1500.00", job=job), TODAY)

    await reprice_following_contracts(uow, _changed("1200.00", old="1500.00", reverted=True, job=job), TODAY)

    after = uow.contracts.rows[c.contract_id]
    assert [p[2] for p in _prices(after)] == [Decimal("1200.00"), Decimal("1200.00")]
    assert after.annual_value == Decimal("1200.00")
    assert after.version == 3
