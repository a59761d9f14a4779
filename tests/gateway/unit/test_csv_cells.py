"""CSV exports cannot run formulas in a spreadsheet, and their numbers stay numbers."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from decimal import Decimal

import pytest

from avtal_gateway.domain.csv_cells import BOM, cell, csv_text, neutralise


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-120.00", "=", "-"],
)
def test_a_text_a_spreadsheet_would_run_gets_a_quote_in_front(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Acme AB", "", "1-30", "90+", "a=b", " =1", "'=1", "Åby Städ"])
def test_other_text_is_left_as_it_is(text: str) -> None:
    assert neutralise(text) == text


def test_numbers_stay_numbers_even_when_negative() -> None:
    assert cell(Decimal("-120.00")) == "-120.00"
    assert cell(-3) == "-3"
    assert cell(Decimal("+5")) == "5"


def test_a_negative_amount_given_as_text_is_neutralised_like_any_text() -> None:
    # The choice is by type: a string is never trusted to be a number, whatever it looks like.
    assert cell("-120.00") == "'-120.00"


def test_dates_ids_booleans_and_missing_values_have_one_plain_form() -> None:
    some = uuid.UUID(int=5)
    assert [cell(date(2026, 1, 31)), cell(some), cell(True), cell(False), cell(None)] == [
        "2026-01-31",
        str(some),
        "true",
        "false",
        "",
    ]


def test_a_whole_file_quotes_separators_and_line_breaks_and_neutralises_each_text_cell() -> None:
    text = csv_text(["name", "amount"], [["=cmd|' /C calc'!A0", Decimal("-1.50")], ['Comma, "Quote"\nAB', 2]])
    assert text.startswith(BOM) and text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert rows == [["name", "amount"], ["'=cmd|' /C calc'!A0", "-1.50"], ['Comma, "Quote"\nAB', "2"]]


def test_a_header_is_neutralised_too() -> None:
    assert csv_text(["=x"], []).removeprefix(BOM) == "'=x\r\n"
