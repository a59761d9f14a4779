"""Price policy 'list': a contract that follows the price list is repriced when the list changes.

Which list: the **vendor's** list price in the contract's currency (the manufacturer's list that a
service contract's "list price" means; a distributor's price is what we buy at, not what we sell at).
When a job changed several vendors' lists of one product, the first by party code applies (the catalog
sends them ordered by code). Only lines still priced from the list (`price_source` 'list') follow it;
an overridden price stays. A revert sends the old prices as new ones, so the same repricing restores
them from the same day.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from avtal_common.errors import DomainError
from avtal_common.logging import get_logger
from avtal_common.payloads.catalog import PriceChanged
from avtal_contracts.domain.amendments import Amendment, NothingToChange, PriceChange, change_prices
from avtal_contracts.domain.contracts import Contract
from avtal_contracts.handlers.amendments import amend
from avtal_contracts.store.uow import ContractsUnitOfWork

log = get_logger(__name__)

LIST_KIND = "vendor"
ACTOR = "catalog"


def list_prices(d: PriceChanged) -> dict[str, Decimal]:
    """The new list price per currency: the first vendor list's of each."""
    out: dict[str, Decimal] = {}
    for p in d.prices:
        if p.party_kind == LIST_KIND:
            out.setdefault(p.currency, p.new_price)
    return out


def repricing(d: PriceChanged, price: Decimal, today: date) -> Callable[[Contract], Amendment]:
    def op(c: Contract) -> Amendment:
        effective = max(d.effective_from, c.start_date)
        lines = {
            ln.line_id: price
            for ln in c.lines
            if ln.product.product_id == d.product_id
            and ln.price_source == "list"
            and ln.end_date >= effective
        }
        return change_prices(c, PriceChange(prices=lines, source="list"), effective, today)

    return op


async def reprice_following_contracts(
    uow: ContractsUnitOfWork, d: PriceChanged, today: date | None = None
) -> int:
    """One change_prices amendment per contract that follows the list; returns how many changed.
    Redelivered, the contracts are already at the new price, so nothing changes again."""
    changed = 0
    for currency, price in list_prices(d).items():
        for contract_id in await uow.product_prices.following_list(d.product_id, currency, d.effective_from):
            try:
                await amend(
                    uow,
                    contract_id,
                    None,
                    repricing(d, price, today or date.today()),
                    actor=ACTOR,
                    apply=True,
                )
                changed += 1
            except NothingToChange:
                continue
            except DomainError as exc:  # e.g. expired by the calendar though not yet marked: left as it is
                log.info("contracts.list_reprice_skipped", contract_id=str(contract_id), reason=str(exc))
    return changed
