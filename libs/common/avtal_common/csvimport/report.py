"""What an import was asked to do and what it found: options, row errors, the report."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Mode = Literal["all_or_nothing", "valid_rows"]
Encoding = Literal["utf-8", "windows-1252", "latin-1"]
# A report lists this many row errors; the counts cover all of them.
MAX_LISTED_ERRORS = 1000


class ImportOptions(BaseModel):
    """How to read the file and what to do with it. Rows are numbered as in a spreadsheet (header = 1)."""

    encoding: Encoding = "utf-8"
    decimal_comma: bool = False
    mode: Mode = "all_or_nothing"
    dry_run: bool = False
    # CSV header → field name; overrides the aliases (a saved mapping, or one chosen on the screen).
    mapping: dict[str, str] = Field(default_factory=dict)


class RowError(BaseModel):
    row: int
    column: str | None = None
    reason: str


class ImportReport(BaseModel):
    delimiter: str | None = None
    columns: list[str] = Field(default_factory=list)  # the file's header as read
    fields: dict[str, bool] = Field(default_factory=dict)  # every field the import reads → required
    mapping: dict[str, str] = Field(default_factory=dict)  # field → the header it was read from
    rows_read: int = 0
    rows_valid: int = 0
    rows_invalid: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    committed: bool = False
    # A problem with the file as a whole (encoding, an unclosed quote, missing columns): nothing imported.
    fatal: str | None = None
    errors: list[RowError] = Field(default_factory=list)

    def add_error(self, error: RowError) -> None:
        self.rows_invalid += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(error)


class FileProblem(Exception):
    """The file cannot be read past this point (encoding, unclosed quote, oversized field)."""

    def __init__(self, row: int, reason: str) -> None:
        super().__init__(f"row {row}: {reason}")
        self.row, self.reason = row, reason


class MappingProblem(Exception):
    """The header lacks required columns (or names one twice): the user must map them."""
