"""Rows → typed rows: a batch goes through pydantic at once; a bad batch is split into its bad rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from avtal_common.csvimport.mapping import Column
from avtal_common.csvimport.reading import Record
from avtal_common.csvimport.report import RowError

Cell = Callable[[str], Any]


def comma_decimal(value: str) -> str:
    """'1 234,50' or '1.234,50' → '1234.50' (the dot and spaces are thousands separators there)."""
    return value.replace("\u00a0", "").replace(" ", "").replace(".", "").replace(",", ".")


class RowValidator:
    """Validates records against `model`, whose field order is the staging table's column order."""

    def __init__(
        self,
        model: type[BaseModel],
        columns: tuple[Column, ...],
        header: list[str],
        index: dict[str, int],
        decimal_comma: bool,
    ) -> None:
        self._adapter: TypeAdapter[list[BaseModel]] = TypeAdapter(list[model])  # type: ignore[valid-type]  # a class chosen at run time
        self._header, self._width = header, len(header)
        self._cells = [
            (c.field, index[c.field], _cell(c, decimal_comma)) for c in columns if c.field in index
        ]

    def validate(self, batch: list[Record]) -> tuple[list[tuple[Any, ...]], list[RowError]]:
        """(row number, *field values) of the valid rows, and an error per bad row."""
        errors: list[RowError] = []
        rows, dicts = [], []
        for row, fields in batch:
            if len(fields) != self._width:
                errors.append(
                    RowError(row=row, reason=f"has {len(fields)} fields, the header has {self._width}")
                )
                continue
            rows.append(row)
            dicts.append({name: cell(fields[i]) for name, i, cell in self._cells})
        try:
            models = self._adapter.validate_python(dicts)
        except ValidationError as exc:
            bad = self._row_errors(exc, rows)
            keep = [i for i in range(len(rows)) if rows[i] not in bad]
            models = self._adapter.validate_python([dicts[i] for i in keep])
            rows = [rows[i] for i in keep]
            errors += sorted(bad.values(), key=lambda e: e.row)
        return [(row, *m.__dict__.values()) for row, m in zip(rows, models, strict=True)], errors

    def _row_errors(self, exc: ValidationError, rows: list[int]) -> dict[int, RowError]:
        """The first error of each bad row, named by the file's own column header."""
        found: dict[int, RowError] = {}
        for e in exc.errors(include_url=False):
            row = rows[int(e["loc"][0])]
            field = str(e["loc"][1]) if len(e["loc"]) > 1 else None
            column = self._header[self._index_of(field)] if field else None
            if row not in found:
                found[row] = RowError(row=row, column=column, reason=_reason(e))
        return found

    def _index_of(self, field: str) -> int:
        return next(i for name, i, _ in self._cells if name == field)


def _cell(column: Column, decimal_comma: bool) -> Cell:
    # Blank optional cells are "no value"; a blank required cell fails as missing.
    if column.decimal and decimal_comma:
        return lambda v: comma_decimal(v.strip()) or None
    return lambda v: v.strip() or None


def _reason(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    given = error.get("input")
    if given is None:
        return "is empty; it needs a value"
    return f"{message} (got {given!r})" if isinstance(given, str) else message
