"""The contracts import target: rows grouped by contract reference, checked set-based, then each contract
opened through the same use case as the API (state + contract.created + audit naming who imported it)."""

from __future__ import annotations

from typing import Any

import asyncpg
from pydantic import BaseModel

from avtal_common.csvimport import Column, ImportOptions, ImportReport, RowError, reject
from avtal_common.csvimport.reading import records
from avtal_common.csvimport.report import MappingProblem
from avtal_common.errors import DomainError
from avtal_contracts.domain.commands import ContractLineRequest, CreateContract
from avtal_contracts.domain.contracts import Terms
from avtal_contracts.domain.imports import CONTRACT_COLUMNS, ContractLineRow
from avtal_contracts.handlers.contracts import create_contract
from avtal_contracts.store import contract_import_sql as sql
from avtal_contracts.store.uow import ContractsUnitOfWork


def command(g: asyncpg.Record | dict[str, Any]) -> CreateContract:
    """One contract of the file (a GROUPS row) as the API's create command."""
    terms = Terms(
        billing_interval_months=g["billing_interval_months"] or 12,
        billing_timing=g["billing_timing"] or "advance",
        price_policy=g["price_policy"] or "fixed",
        uplift_pct=g["uplift_pct"],
        auto_renew=bool(g["auto_renew"]),
        notice_days=g["notice_days"] or 0,
    )
    lines = tuple(
        ContractLineRequest(sku, maker, model, serial, price, qty or 1, first, last)
        for sku, maker, model, serial, price, qty, first, last in zip(
            g["skus"], g["makers"], g["models"], g["serials"], g["prices"], g["quantities"], g["starts"],
            g["ends"], strict=True,
        )
    )  # fmt: skip
    return CreateContract(
        g["customer_id"],
        g["currency"],
        g["start_date"],
        g["end_date"],
        terms.check(),
        lines,
        g["status"] or "active",
        g["contract_ref"],
    )


class ContractImport:
    """Open the file's new contracts; one already imported (same reference) is left as it is."""

    columns: tuple[Column, ...] = CONTRACT_COLUMNS
    row_model: type[BaseModel] = ContractLineRow
    staging = "import_contracts"

    def __init__(self, actor: str, data: bytes = b"", producer: str = "contracts") -> None:
        self._actor, self._data, self._producer = actor, data, producer

    def staging_ddl(self) -> str:
        return sql.STAGING

    async def merge(self, conn: asyncpg.Connection, report: ImportReport, options: ImportOptions) -> None:
        await conn.execute(sql.RESOLVE)
        report.unchanged = int(await conn.fetchval(sql.EXISTING))
        await conn.execute(sql.UNREADABLE_TABLE)
        await conn.executemany(sql.ADD_UNREADABLE, self._unreadable(report, options))
        await reject(conn, self.staging, report, (*sql.CHECKS[:-1], sql.UNREADABLE_CHECK, sql.CHECKS[-1]))
        uow = ContractsUnitOfWork.joined(conn, self._producer)
        for group in await conn.fetch(sql.GROUPS):
            if await self._open(conn, uow, group, report):
                report.inserted += 1

    def _unreadable(self, report: ImportReport, options: ImportOptions) -> list[tuple[str, int]]:
        """(contract_ref, row) of the rows that failed to parse: their contracts' other rows must stay out
        too, and only the file itself still says which contract such a row belongs to."""
        if options.mode == "valid_rows" and report.rows_invalid > len(report.errors):
            # Unlisted bad rows cannot be traced to their contracts: importing the rest could split one.
            raise MappingProblem(
                f"{report.rows_invalid} rows could not be read, more than a report lists; fix them "
                "(a dry run lists the first ones) or import all or nothing"
            )
        bad = {e.row for e in report.errors}
        header = report.mapping.get("contract_ref")
        if not bad or header is None or header not in report.columns:
            return []
        at = report.columns.index(header)
        found = []
        for row, fields in records(self._data, options.encoding, report.delimiter or ","):
            if row in bad and at < len(fields) and fields[at].strip():
                found.append((fields[at].strip(), row))
        return found

    async def _open(
        self, conn: asyncpg.Connection, uow: ContractsUnitOfWork, group: asyncpg.Record, report: ImportReport
    ) -> bool:
        """The contract opened in a savepoint; a refusal (another customer's item, a retired product, a
        currency mismatch, …) becomes an error on each of its rows and leaves nothing behind."""
        try:
            async with conn.transaction():
                await create_contract(uow, command(group), self._actor)
            return True
        except DomainError as exc:
            rows = list(group["rows"])
            for row in rows:
                report.add_error(RowError(row=row, reason=f"contract {group['contract_ref']}: {exc}"))
            report.rows_valid -= len(rows)
            report.errors.sort(key=lambda e: e.row)
            return False
