"""Billing subscriptions: the events billing reacts to, each with its handler."""

from avtal_billing.handlers.contracts import on_contract_state
from avtal_common import topics
from avtal_common.consumer import EventHandler
from avtal_common.payloads.contracts import ContractState
from avtal_common.runtime import Runtime


def handlers(rt: Runtime) -> list[EventHandler]:
    # Billing's copy of a contract comes from its state topic only; the facts beside it
    # (contract.created, …) carry nothing billing needs today (docs/adr/0008).
    return [
        EventHandler(topics.CONTRACT_STATE, ContractState, "billing.on_contract_state", on_contract_state)
    ]
