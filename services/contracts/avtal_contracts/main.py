"""Contracts service: app factory and entry point."""

from avtal_common import topics
from avtal_common.runtime import ServiceSpec, serve
from avtal_contracts.api.calendar import CalendarController, IndexController, RenewalController
from avtal_contracts.api.contracts import ContractController
from avtal_contracts.api.customers import CustomerController
from avtal_contracts.api.products import ProductController
from avtal_contracts.consumers import handlers
from avtal_contracts.settings import ContractsSettings
from avtal_contracts.store.uow import ContractsUnitOfWork
from avtal_contracts.workers import calendar_daily

SPEC = ServiceSpec(
    name="contracts",
    package="avtal_contracts",
    publishes=[
        topics.CONTRACT_STATE,
        topics.CONTRACT_CREATED,
        topics.CONTRACT_AMENDED,
        topics.CONTRACT_TERMINATED,
        topics.CONTRACT_RENEWED,
        topics.CONTRACT_EXPIRING,
        topics.CONTRACT_EXPIRED,
    ],
    handlers=handlers,
    routes=[
        CustomerController,
        ContractController,
        ProductController,
        CalendarController,
        RenewalController,
        IndexController,
    ],
    background=[calendar_daily],
    unit_of_work=ContractsUnitOfWork,
)


def main() -> None:
    serve(SPEC, ContractsSettings)
