"""Set-based checks on staged rows: each check is a SELECT of (row_no, field, reason); rows it names
become row errors and leave the staging table before the merge."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from avtal_common.csvimport.report import MAX_LISTED_ERRORS, ImportReport, RowError

_ERRORS = "CREATE TEMP TABLE import_errors (row_no int, field text, reason text) ON COMMIT DROP"
_LISTED = f"""
SELECT DISTINCT ON (row_no) row_no, field, reason FROM import_errors ORDER BY row_no LIMIT {MAX_LISTED_ERRORS}
"""


async def reject(conn: asyncpg.Connection, staging: str, report: ImportReport, checks: Sequence[str]) -> None:
    """Run `checks` against `staging` (a table name the target chose, never user input)."""
    await conn.execute(_ERRORS)
    for check in checks:
        await conn.execute(f"INSERT INTO import_errors {check}")
    bad = await conn.fetchval("SELECT count(DISTINCT row_no) FROM import_errors")
    if not bad:
        return
    await conn.execute(f"DELETE FROM {staging} s USING import_errors e WHERE s.row_no = e.row_no")
    listed = await conn.fetch(_LISTED)
    for r in listed:
        column = report.mapping.get(r["field"], r["field"]) if r["field"] else None
        report.add_error(RowError(row=r["row_no"], column=column, reason=r["reason"]))
    report.rows_invalid += bad - len(listed)
    report.rows_valid -= bad
    report.errors.sort(key=lambda e: e.row)
