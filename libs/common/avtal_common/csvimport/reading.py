"""Reading an uploaded CSV: decoding, delimiter sniffing, records numbered as in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

from avtal_common.csvimport.report import Encoding, FileProblem

# "utf-8" reads files with and without a byte-order mark; the others only when the user says so.
ENCODINGS: dict[Encoding, str] = {"utf-8": "utf-8-sig", "windows-1252": "cp1252", "latin-1": "latin-1"}
# Longer than any real cell; an unclosed quote swallows lines until it hits this and is reported there.
MAX_FIELD_CHARS = 10_000
_SNIFF_BYTES = 65_536

Record = tuple[int, list[str]]


def sniff_delimiter(data: bytes, encoding: Encoding) -> str:
    """`;` or `,`: whichever the header line has more of outside quotes (`,` on a tie)."""
    head = data[:_SNIFF_BYTES].decode(ENCODINGS[encoding], errors="replace")
    line, quoted = [], False
    for ch in head:
        if ch == '"':
            quoted = not quoted
        elif ch in "\r\n" and not quoted:
            break
        elif not quoted:
            line.append(ch)
    return ";" if line.count(";") > line.count(",") else ","


def records(
    data: bytes, encoding: Encoding, delimiter: str, progress: Callable[[int], None] | None = None
) -> Iterator[Record]:
    """(row number, fields) for every non-blank record, the header first (row 1). Raises FileProblem
    where the file stops being readable; what came before it was yielded."""
    raw = io.BytesIO(data)
    text = io.TextIOWrapper(raw, encoding=ENCODINGS[encoding], newline="")
    csv.field_size_limit(MAX_FIELD_CHARS)  # process-wide, and the same value wherever it is set
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    row = 0
    try:
        for fields in reader:
            row += 1
            if fields and fields != [""]:
                yield row, fields
            if progress is not None and row % 10_000 == 0:
                progress(raw.tell())
    except csv.Error as exc:
        raise FileProblem(row + 1, _csv_reason(str(exc))) from None
    except UnicodeDecodeError as exc:
        raise FileProblem(_row_of_bad_byte(data, encoding), _decode_reason(exc)) from None
    if progress is not None:
        progress(len(data))


def _csv_reason(message: str) -> str:
    if "field larger than field limit" in message:
        return (
            f'a field is longer than {MAX_FIELD_CHARS:,} characters; a quote (") opened in this row and '
            "never closed swallows the lines after it. Close the quote or shorten the field"
        )
    if "unexpected end of data" in message:
        return 'a quoted field opened in this row is not closed before the end of the file; add the closing "'
    if "expected" in message and "after" in message:
        return f'a quote (") inside a field must be doubled (""): {message}'
    return f"the row is not valid CSV: {message}"


def _row_of_bad_byte(data: bytes, encoding: Encoding) -> int:
    # The reader decodes ahead in chunks, so its position is not the row: decode once more to find it.
    try:
        data.decode(ENCODINGS[encoding])
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1
    return 1


def _decode_reason(exc: UnicodeDecodeError) -> str:
    bad = exc.object[exc.start : exc.start + 1].hex().upper()
    return (
        f"byte 0x{bad} is not valid {exc.encoding.upper()}; a file saved by Excel or an older system is "
        "usually Windows-1252: import it again with that encoding"
    )
