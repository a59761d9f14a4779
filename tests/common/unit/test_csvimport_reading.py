"""The CSV import engine's pure parts: decoding, delimiter sniffing, records, header mapping, validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import BaseModel, Field

from avtal_common.csvimport import Column, FileProblem, MappingProblem, resolve_mapping, sniff_delimiter
from avtal_common.csvimport.reading import MAX_FIELD_CHARS, records
from avtal_common.csvimport.validation import RowValidator, comma_decimal

HEADER = "sku;name;price\r\n"


def _rows(data: bytes, encoding: str = "utf-8", delimiter: str = ",") -> list[tuple[int, list[str]]]:
    return list(records(data, encoding, delimiter))  # type: ignore[arg-type]  # the literal is checked by the API


def test_utf8_with_and_without_a_byte_order_mark_read_the_same() -> None:
    text = (HEADER + "A;Kylskåp;1,50\r\n").encode()
    assert _rows(b"\xef\xbb\xbf" + text, delimiter=";") == _rows(text, delimiter=";")
    assert _rows(text, delimiter=";")[0] == (1, ["sku", "name", "price"])


def test_latin1_and_windows_1252_read_what_the_user_says_they_are() -> None:
    assert _rows("a\r\nKylskåp\r\n".encode("latin-1"), "latin-1")[1] == (2, ["Kylskåp"])
    assert _rows("a\r\n€ 5\r\n".encode("cp1252"), "windows-1252")[1] == (2, ["€ 5"])


def test_a_latin1_file_read_as_utf8_names_the_row_of_the_first_bad_byte_and_suggests_windows_1252() -> None:
    data = "a\r\nok\r\nok\r\nKylskåp\r\n".encode("latin-1")
    with pytest.raises(FileProblem) as caught:
        _rows(data)
    assert caught.value.row == 4 and "Windows-1252" in caught.value.reason


@pytest.mark.parametrize(
    ("head", "expected"),
    [("sku;name;price", ";"), ("sku,name,price", ","), ('"a;b",c,d', ","), ('"a,b";c;d', ";"), ("sku", ",")],
)
def test_the_delimiter_is_whichever_of_semicolon_and_comma_the_header_has_more_of(
    head: str, expected: str
) -> None:
    assert sniff_delimiter((head + "\r\n1,2;3\r\n").encode(), "utf-8") == expected


def test_rows_are_numbered_as_in_a_spreadsheet_and_a_quoted_line_break_stays_in_one_row() -> None:
    data = b'sku,name\r\nA,"two\r\nlines"\r\n\r\nB,x\r\n'
    assert _rows(data) == [(1, ["sku", "name"]), (2, ["A", "two\r\nlines"]), (4, ["B", "x"])]


def test_an_unclosed_quote_is_reported_at_the_row_where_it_opened() -> None:
    data = b'sku,name\r\nA,ok\r\nB,"never closed\r\nC,x\r\n'
    with pytest.raises(FileProblem) as caught:
        _rows(data)
    assert caught.value.row == 3 and "not closed" in caught.value.reason


def test_a_field_longer_than_the_limit_is_a_row_numbered_error() -> None:
    data = b"sku,name\r\nA," + b"x" * (MAX_FIELD_CHARS + 1) + b"\r\n"
    with pytest.raises(FileProblem) as caught:
        _rows(data)
    assert caught.value.row == 2 and f"{MAX_FIELD_CHARS:,}" in caught.value.reason


COLUMNS = (
    Column("sku", ("artikelnummer", "article")),
    Column("name", ("benämning",)),
    Column("price", ("pris",), decimal=True),
    Column("note", required=False),
)


def test_headers_are_matched_by_field_name_or_alias_whatever_their_case_and_spacing() -> None:
    assert resolve_mapping(["Artikelnummer", " BENÄMNING ", "Pris"], COLUMNS, {}) == {
        "sku": 0,
        "name": 1,
        "price": 2,
    }


def test_a_chosen_mapping_wins_over_the_aliases() -> None:
    index = resolve_mapping(["Art", "Text", "Pris", "article"], COLUMNS, {"Art": "sku", "Text": "name"})
    assert index == {"sku": 0, "name": 1, "price": 2}


def test_a_missing_required_column_names_the_field_and_the_header_found() -> None:
    with pytest.raises(MappingProblem, match=r"\['name'\].*'Artikelnummer'"):
        resolve_mapping(["Artikelnummer", "Pris"], COLUMNS, {})


def test_two_columns_for_one_field_and_a_mapping_to_an_unknown_field_are_refused() -> None:
    with pytest.raises(MappingProblem, match="both map to 'sku'"):
        resolve_mapping(["sku", "article", "name", "price"], COLUMNS, {})
    with pytest.raises(MappingProblem, match="unknown fields"):
        resolve_mapping(["sku", "name", "price"], COLUMNS, {"sku": "colour"})


class Row(BaseModel):
    sku: str = Field(min_length=1)
    name: str
    price: Decimal = Field(ge=0, decimal_places=2)
    note: str | None = None
    since: date | None = None


def _validator(header: list[str], decimal_comma: bool = False) -> RowValidator:
    return RowValidator(Row, COLUMNS, header, resolve_mapping(header, COLUMNS, {}), decimal_comma)


def test_valid_rows_become_typed_values_in_the_models_field_order_with_their_row_number() -> None:
    good, errors = _validator(["sku", "name", "price"], decimal_comma=True).validate(
        [(2, ["A", "N", "1 234,50"])]
    )
    assert errors == []
    assert good == [(2, "A", "N", Decimal("1234.50"), None, None)]


def test_each_bad_row_gets_one_error_naming_its_row_and_the_files_column_and_good_rows_pass() -> None:
    batch = [(2, ["A", "N", "1.00"]), (3, ["B", "N", "abc"]), (4, ["", "N", "2.00"]), (5, ["C", "N"])]
    good, errors = _validator(["SKU", "name", "Pris"]).validate(batch)
    assert [g[0] for g in good] == [2]
    assert [(e.row, e.column) for e in errors] == [(5, None), (3, "Pris"), (4, "SKU")]
    assert "has 2 fields, the header has 3" in errors[0].reason and "'abc'" in errors[1].reason


def test_without_decimal_comma_a_comma_price_is_an_error_and_with_it_dots_are_thousands() -> None:
    _, errors = _validator(["sku", "name", "price"]).validate([(2, ["A", "N", "1,50"])])
    assert errors and errors[0].column == "price"
    assert comma_decimal("1.234.567,89") == "1234567.89"
