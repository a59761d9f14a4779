"""Catalog service: app factory and entry point."""

from avtal_catalog.api import imports
from avtal_catalog.api.imports import ImportController
from avtal_catalog.api.products import ProductController
from avtal_catalog.settings import CatalogSettings
from avtal_catalog.store.uow import CatalogUnitOfWork
from avtal_common import topics
from avtal_common.runtime import ServiceSpec, serve

SPEC = ServiceSpec(
    name="catalog",
    package="avtal_catalog",
    publishes=[topics.CATALOG_PRODUCT_UPSERTED, topics.CATALOG_PRICE_CHANGED],
    routes=[ProductController, ImportController],
    unit_of_work=CatalogUnitOfWork,
    dependencies=imports.dependencies,
)


def main() -> None:
    serve(SPEC, CatalogSettings)
