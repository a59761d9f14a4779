"""Catalog service: app factory and entry point."""

from litestar.di import Provide

from avtal_catalog.adapters.contracts import ContractUsage, HttpContractUsage
from avtal_catalog.api import imports
from avtal_catalog.api.jobs import PriceJobController
from avtal_catalog.api.parties import LevelController, PartyController
from avtal_catalog.api.products import ProductController
from avtal_catalog.settings import CatalogSettings
from avtal_catalog.store.uow import CatalogUnitOfWork
from avtal_common import topics
from avtal_common.runtime import Runtime, ServiceSpec, serve


def dependencies(rt: Runtime) -> dict[str, Provide]:
    def usage() -> ContractUsage:
        # One client per process, made on first use (never at import).
        if "usage" not in rt.state:
            assert isinstance(rt.settings, CatalogSettings) and rt.common.service_token is not None
            token = rt.common.service_token.get_secret_value()
            rt.state["usage"] = HttpContractUsage(rt.settings.contracts_url, token)
        found: ContractUsage = rt.state["usage"]
        return found

    return {"usage": Provide(usage, sync_to_thread=False), **imports.dependencies(rt)}


SPEC = ServiceSpec(
    name="catalog",
    package="avtal_catalog",
    publishes=[topics.CATALOG_PRODUCT_UPSERTED, topics.CATALOG_PRICE_CHANGED],
    routes=[
        ProductController,
        PartyController,
        LevelController,
        PriceJobController,
        imports.ImportController,
    ],
    unit_of_work=CatalogUnitOfWork,
    dependencies=dependencies,
)


def main() -> None:
    serve(SPEC, CatalogSettings)
