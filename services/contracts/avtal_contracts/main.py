"""Contracts service: app factory and entry point."""

from avtal_common import topics
from avtal_common.runtime import ServiceSpec, serve
from avtal_contracts.api import imports
from avtal_contracts.api.amendments import AmendmentController
from avtal_contracts.api.bulk import BulkJobController, ContractSearchController
from avtal_contracts.api.calendar import CalendarController, IndexController, RenewalController
from avtal_contracts.api.contracts import ContractController
from avtal_contracts.api.customers import CustomerController, SiteController
from avtal_contracts.api.items import CustomerItemsController, ItemController
from avtal_contracts.api.products import ProductController
from avtal_contracts.consumers import handlers
from avtal_contracts.settings import ContractsSettings
from avtal_contracts.store.uow import ContractsUnitOfWork
from avtal_contracts.workers import bulk_worker, calendar_daily

SPEC = ServiceSpec(
    name="contracts",
    package="avtal_contracts",
    publishes=[
        topics.CUSTOMER_STATE,
        topics.CONTRACT_STATE,
        topics.CONTRACT_CREATED,
        topics.CONTRACT_AMENDED,
        topics.CONTRACT_TERMINATED,
        topics.CONTRACT_RENEWED,
        topics.BULK_JOB_FINISHED,
        topics.CONTRACT_EXPIRING,
        topics.CONTRACT_EXPIRED,
        topics.CONTRACT_BILL_REQUESTED,
    ],
    handlers=handlers,
    routes=[
        CustomerController,
        ContractController,
        ProductController,
        SiteController,
        CustomerItemsController,
        ItemController,
        imports.ImportController,
        AmendmentController,
        ContractSearchController,
        BulkJobController,
        CalendarController,
        RenewalController,
        IndexController,
    ],
    background=[bulk_worker, calendar_daily],
    unit_of_work=ContractsUnitOfWork,
    # parties: sites, covered items, CSV imports (with their unit of work, runner and size cap)
    dependencies=imports.dependencies,
)


def main() -> None:
    serve(SPEC, ContractsSettings)
