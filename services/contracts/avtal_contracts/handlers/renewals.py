"""Renewals: a successor contract for the next term, once per contract (auto, accepted or by staff)."""

from __future__ import annotations

import uuid
from datetime import date

from avtal_common.events import Envelope
from avtal_common.payloads.contracts import ContractRenewed, RenewalAccepted
from avtal_common.topics import CONTRACT_CREATED, CONTRACT_RENEWED
from avtal_contracts.domain.contracts import Contract
from avtal_contracts.domain.renewals import IndexRatio, index_periods, renewed, successor
from avtal_contracts.handlers.contracts import commit_change, contract_created, emit_change
from avtal_contracts.store.contracts import snapshot
from avtal_contracts.store.uow import ContractsUnitOfWork


async def renew_contract(
    uow: ContractsUnitOfWork, contract_id: uuid.UUID, *, how: str, actor: str, today: date
) -> Contract:
    """The successor of the contract: made now (the old one becomes 'renewed' with `renewed_to`, both in
    this transaction), or the one made before — a contract renews once."""
    before = await uow.contracts.get(contract_id, for_update=True)
    if before.renewed_to is not None:
        return await uow.contracts.get(before.renewed_to)
    nxt = successor(before, await uow.contracts.next_number(), await index_ratio(uow, before))
    await uow.contracts.add(nxt)
    await uow.contracts.audit(
        nxt.contract_id, "created", {"renewed_from": before.contract_no, "how": how}, None,
        actor=actor, version=nxt.version, effective_date=nxt.start_date, after=snapshot(nxt),
    )  # fmt: skip
    await emit_change(uow, nxt, CONTRACT_CREATED, contract_created(nxt))
    after = renewed(before, nxt)
    await commit_change(
        uow, before, after, action="renewed", fact_topic=CONTRACT_RENEWED, fact=renewal_fact(after, nxt, how),
        actor=actor, effective_date=nxt.start_date, detail={"how": how, "successor": nxt.contract_no,
        "today": today.isoformat()},
    )  # fmt: skip
    return nxt


async def preview_renewal(uow: ContractsUnitOfWork, contract_id: uuid.UUID) -> tuple[Contract, Contract]:
    """The contract and the successor a renewal would make now (nothing stored, no number used)."""
    c = await uow.contracts.get(contract_id)
    if c.renewed_to is not None:
        return c, await uow.contracts.get(c.renewed_to)
    return c, successor(c, "(next)", await index_ratio(uow, c))


async def index_ratio(uow: ContractsUnitOfWork, c: Contract) -> IndexRatio | None:
    """value(end year) / value(year before) of the contract's index, or None while one is missing."""
    name = c.terms.uplift_index
    if c.terms.price_policy != "uplift_index" or not name:
        return None
    base, period = index_periods(c)
    old, new = await uow.indexes.value(name, base), await uow.indexes.value(name, period)
    if old is None or new is None:
        return None
    return IndexRatio(name, base, period, new / old)


def renewal_fact(old: Contract, nxt: Contract, how: str) -> ContractRenewed:
    return ContractRenewed(
        contract_id=old.contract_id, contract_no=old.contract_no, successor_id=nxt.contract_id,
        successor_no=nxt.contract_no, start_date=nxt.start_date, end_date=nxt.end_date, how=how,
        annual_value_before=old.annual_value, annual_value_after=nxt.annual_value, currency=old.currency,
    )  # fmt: skip


async def on_renewal_accepted(uow: ContractsUnitOfWork, event: Envelope[RenewalAccepted]) -> None:
    """The customer accepted in the portal: renew now (a second acceptance finds it renewed)."""
    d = event.data
    await renew_contract(uow, d.contract_id, how="accepted", actor=d.accepted_by, today=d.accepted_on)
