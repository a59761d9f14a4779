"""FreeText fields people type: control characters (NUL above all, which PostgreSQL refuses) are a 400."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from litestar.params import Parameter
from pydantic import AfterValidator, Field


def _refuse_control(value: str, allowed: str) -> str:
    for i, ch in enumerate(value):
        kind = unicodedata.category(ch)
        if kind == "Cs":  # a lone surrogate (a JSON "\\ud800"-style escape) is no character at all
            raise ValueError(f"must be valid Unicode text (found a lone surrogate at position {i})")
        if kind == "Cc" and ch not in allowed:
            raise ValueError(f"must not contain control characters (found U+{ord(ch):04X} at position {i})")
    return value


def single_line(value: str) -> str:
    return _refuse_control(value, "")


def multi_line(value: str) -> str:
    return _refuse_control(value, "\t\n\r")


# The same rules as JSON-schema patterns, so the OpenAPI document says what is refused (the
# validators above give the message a person reads).
ONE_LINE_PATTERN = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
FREE_TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"

# One line of text (names, numbers, references): no control characters at all.
OneLine = Annotated[str, AfterValidator(single_line), Field(json_schema_extra={"pattern": ONE_LINE_PATTERN})]
# Free text (descriptions, notes): line breaks and tabs allowed, other control characters refused.
FreeText = Annotated[str, AfterValidator(multi_line), Field(json_schema_extra={"pattern": FREE_TEXT_PATTERN})]

# A query parameter people type (search words, filters): one line, checked by Litestar before the handler
# runs (a NUL reaching PostgreSQL would be a 500).
QueryText = Annotated[
    str | None,
    Parameter(
        pattern=ONE_LINE_PATTERN, max_length=200, description="one line of text, at most 200 characters"
    ),
]
