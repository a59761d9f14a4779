"""One import: stream records → validate in batches → COPY into a staging table → one set-based merge.

Everything runs in one transaction that commits only when the options allow it (not a dry run; no bad
row unless "valid rows" was chosen), so a dry run reports exactly what the import would do.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Protocol

import asyncpg
from pydantic import BaseModel

from avtal_common.csvimport.mapping import Column, resolve_mapping
from avtal_common.csvimport.reading import Record, records, sniff_delimiter
from avtal_common.csvimport.report import FileProblem, ImportOptions, ImportReport, MappingProblem
from avtal_common.csvimport.validation import RowValidator

BATCH = 5_000
Progress = Callable[[ImportReport, int], None]  # the report so far, bytes read


class ImportTarget(Protocol):
    """What one kind of import (products, prices, customers, …) supplies to the engine."""

    columns: tuple[Column, ...]
    row_model: type[BaseModel]  # its fields in the staging table's column order (after `row_no`)
    staging: str  # the staging table's name

    def staging_ddl(self) -> str:
        """CREATE TEMP TABLE <staging> (row_no int, <the model's fields>) ON COMMIT DROP."""
        ...

    async def merge(self, conn: asyncpg.Connection, report: ImportReport, options: ImportOptions) -> None:
        """Upsert the staged rows in set-based statements; count inserted/updated/unchanged; a staged
        row that conflicts with stored data becomes a row error (and is left out in "valid rows" mode)."""
        ...


class _Rollback(Exception):
    """Leaves the import's transaction without committing (dry run, or bad rows in all-or-nothing)."""


async def run_import(
    conn: asyncpg.Connection,
    data: bytes,
    target: ImportTarget,
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport(delimiter=sniff_delimiter(data, options.encoding))
    tick = (lambda n: progress(report, n)) if progress else None
    rows = records(data, options.encoding, report.delimiter or ",", tick)
    try:
        validator = _validator(rows, target, options, report)
        async with conn.transaction():
            await conn.execute(target.staging_ddl())
            await _stage(conn, target, _validated(rows, validator, report))
            await target.merge(conn, report, options)
            if not _commits(report, options):
                raise _Rollback
            report.committed = True
    except (FileProblem, MappingProblem) as exc:
        report.fatal = str(exc)
    except _Rollback:
        pass
    return report


def _commits(report: ImportReport, options: ImportOptions) -> bool:
    return not options.dry_run and (options.mode == "valid_rows" or report.rows_invalid == 0)


def _validator(
    rows: Iterator[Record], target: ImportTarget, options: ImportOptions, report: ImportReport
) -> RowValidator:
    first = next(rows, None)
    if first is None:
        raise MappingProblem("the file is empty; the first row must be the header")
    report.columns = header = first[1]
    report.fields = {c.field: c.required for c in target.columns}
    index = resolve_mapping(header, target.columns, options.mapping)
    report.mapping = {field: header[i] for field, i in index.items()}
    return RowValidator(target.row_model, target.columns, header, index, options.decimal_comma)


async def _validated(
    rows: Iterator[Record], validator: RowValidator, report: ImportReport
) -> AsyncIterator[tuple[Any, ...]]:
    """Typed rows, one batch in memory at a time; errors go to the report."""
    batch: list[Record] = []
    for record in rows:
        batch.append(record)
        if len(batch) == BATCH:
            for good in _check(validator, batch, report):
                yield good
            batch = []
            await asyncio.sleep(0)  # parsing is CPU work: let the process answer health checks
    for good in _check(validator, batch, report):
        yield good


def _check(validator: RowValidator, batch: list[Record], report: ImportReport) -> list[tuple[Any, ...]]:
    good, errors = validator.validate(batch)
    report.rows_read += len(batch)
    report.rows_valid += len(good)
    for e in errors:
        report.add_error(e)
    return good


async def _stage(
    conn: asyncpg.Connection, target: ImportTarget, rows: AsyncIterator[tuple[Any, ...]]
) -> None:
    columns = ["row_no", *target.row_model.model_fields]
    await conn.copy_records_to_table(target.staging, records=rows, columns=columns)
