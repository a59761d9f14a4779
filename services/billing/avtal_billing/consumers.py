"""Billing subscriptions: the events billing reacts to, each with its handler."""

from avtal_billing.handlers.contracts import on_contract_created
from avtal_common import topics
from avtal_common.consumer import EventHandler
from avtal_common.payloads.contracts import ContractCreated
from avtal_common.runtime import Runtime


def handlers(rt: Runtime) -> list[EventHandler]:
    return [
        EventHandler(
            topics.CONTRACT_CREATED, ContractCreated, "billing.on_contract_created", on_contract_created
        )
    ]
