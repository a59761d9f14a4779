"""The catalog's unit of work with the import jobs (avtal_common.csvimport) beside its repositories."""

from __future__ import annotations

from avtal_catalog.store.uow import CatalogUnitOfWork
from avtal_common.csvimport import job_store


class ImportUnitOfWork(job_store.ImportUnitOfWork, CatalogUnitOfWork):
    """The import jobs come first in the order: their binding calls this service's, then adds theirs."""
