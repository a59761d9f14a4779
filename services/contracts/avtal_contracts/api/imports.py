"""Contracts internal HTTP API: CSV imports of customers, covered items and contracts, run as tracked jobs
(the routes and runner are avtal_common.csvimport's; this names the kinds and what imports each)."""

from __future__ import annotations

from typing import get_args

from litestar.di import Provide

from avtal_common.csvimport import ImportTarget
from avtal_common.csvimport.controller import import_controller, import_dependencies
from avtal_common.csvimport.jobs import ImportJob
from avtal_common.runtime import Runtime
from avtal_contracts.domain.imports import ImportKind
from avtal_contracts.handlers.contract_import import ContractImport
from avtal_contracts.settings import ContractsSettings
from avtal_contracts.store.customer_import import CustomerImport
from avtal_contracts.store.import_jobs import ImportUnitOfWork
from avtal_contracts.store.item_import import ItemImport


def target(kind: str, job: ImportJob, data: bytes) -> ImportTarget:
    if kind == "customers":
        return CustomerImport()
    if kind == "items":
        return ItemImport()
    # Contracts are opened through the API's own path; the audit names the file and who imported it.
    return ContractImport(actor=f"{job.created_by} (import {job.file_name or job.job_id})", data=data)


def dependencies(rt: Runtime) -> dict[str, Provide]:
    settings = rt.settings
    assert isinstance(settings, ContractsSettings)
    return import_dependencies(
        rt, lambda: ImportUnitOfWork(rt.db, rt.spec.name), target, settings.import_max_bytes
    )


ImportController = import_controller(get_args(ImportKind), '{"Kundnr": "customer_ref"}')
