"""Catalog internal HTTP API: CSV imports of products and price lists, run as tracked jobs (the routes
and runner are avtal_common.csvimport's; this names the kinds and what imports each)."""

from __future__ import annotations

from typing import get_args

from litestar.di import Provide

from avtal_catalog.domain.imports import ImportKind
from avtal_catalog.settings import CatalogSettings
from avtal_catalog.store.import_jobs import ImportUnitOfWork
from avtal_catalog.store.price_import import PriceImport
from avtal_catalog.store.product_import import ProductImport
from avtal_common.csvimport import ImportTarget
from avtal_common.csvimport.controller import import_controller, import_dependencies
from avtal_common.csvimport.jobs import ImportJob
from avtal_common.runtime import Runtime


def target(kind: str, job: ImportJob, data: bytes) -> ImportTarget:
    if kind == "products":
        return ProductImport()
    return PriceImport(created_by=f"import:{job.file_name or job.job_id}")


def dependencies(rt: Runtime) -> dict[str, Provide]:
    settings = rt.settings
    assert isinstance(settings, CatalogSettings)
    return import_dependencies(
        rt, lambda: ImportUnitOfWork(rt.db, rt.spec.name), target, settings.import_max_bytes
    )


ImportController = import_controller(get_args(ImportKind), '{"Artikel": "sku"}')
