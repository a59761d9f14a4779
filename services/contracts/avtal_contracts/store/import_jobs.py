"""The contracts unit of work with the import jobs (avtal_common.csvimport) beside its repositories."""

from __future__ import annotations

from avtal_common.csvimport import job_store
from avtal_contracts.store.uow import ContractsUnitOfWork


class ImportUnitOfWork(job_store.ImportUnitOfWork, ContractsUnitOfWork):
    """The import jobs come first in the order: their binding calls this service's, then adds theirs."""
