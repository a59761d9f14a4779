"""Text fields refuse what PostgreSQL cannot store: control characters and lone surrogates are a 400."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from avtal_common.api.commands import CustomerIn
from avtal_common.api.text import FreeText, OneLine
from avtal_gateway.api.session import LoginIn


class _Fields(BaseModel):
    line: OneLine = "x"
    text: FreeText = "x"


@pytest.mark.parametrize("bad", ["a\x00b", "tab\there", "new\nline", "\x1b[31m"])
def test_one_line_refuses_every_control_character(bad: str) -> None:
    with pytest.raises(ValidationError, match="control characters"):
        _Fields(line=bad)


def test_free_text_keeps_line_breaks_and_tabs_but_refuses_nul() -> None:
    assert _Fields(text="first\r\nsecond\tthird").text == "first\r\nsecond\tthird"
    with pytest.raises(ValidationError, match="U\\+0000"):
        _Fields(text="a\x00")


@pytest.mark.parametrize("field", ["line", "text"])
def test_a_lone_surrogate_is_refused_as_invalid_text(field: str) -> None:
    with pytest.raises(ValidationError, match="lone surrogate"):
        _Fields(**{field: "ok\ud95e"})


def test_ordinary_names_in_any_script_pass() -> None:
    assert _Fields(line="Åsa Öberg · Nordic Freight AB · 株式会社 · 🚚").line.startswith("Åsa")


def test_commands_and_the_login_refuse_nul_before_anything_reaches_postgresql() -> None:
    with pytest.raises(ValidationError):
        CustomerIn(name="Acme\x00", email="it@acme.example")
    with pytest.raises(ValidationError):
        LoginIn(email="\ud95e\x00@example.com", password="x")
