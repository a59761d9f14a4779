"""CSV that a spreadsheet opens safely: text cells that a spreadsheet would run as a formula are
neutralised; numbers are written as numbers.

Why by type, not by content: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a
formula to Excel and LibreOffice (CSV injection, OWASP). A quote in front makes such a text plain text.
Amounts, however, are often negative (`-120.00`): quoting those would turn every credit into text that
no longer sums. So a value that *is* a number (int, Decimal, float) is written as one and never touched,
and every string is checked, whatever it looks like: a customer called "-120.00" stays text ("'-120.00")
because it came as a string.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # so Excel reads the file as UTF-8 (Swedish names); csv readers skip it with utf-8-sig

Cell = str | int | float | Decimal | date | uuid.UUID | bool | None


def neutralise(text: str) -> str:
    """A text cell as a spreadsheet shows it, never as a formula it would run."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: Cell) -> str:
    """One value as CSV text: numbers as numbers, dates ISO, empty for none, any string neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: a bool is an int to Python
        return "true" if value else "false"
    if isinstance(value, int | Decimal | float):
        return str(value)
    if isinstance(value, date | uuid.UUID):
        return str(value)
    return neutralise(str(value))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """The whole file: a header row, then one row per item (CRLF line ends, RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([cell(v) for v in row] for row in rows)
    return BOM + out.getvalue()
