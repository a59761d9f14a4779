"""E-mail texts: one Jinja template per kind and language, plain text and HTML (autoescaped), with
amounts and dates written the way the language writes them (Babel, like billing's invoices)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from avtal_notifier.domain.emails import locale_of

# Plain-text bodies are not HTML: only the .html templates are escaped.
_env = Environment(
    loader=PackageLoader("avtal_notifier", "templates"),
    autoescape=select_autoescape(["html"], default_for_string=False, default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def formatters(locale: str) -> dict[str, Any]:
    lang = locale_of(locale)

    def money(value: Decimal, currency: str) -> str:
        return f"{format_decimal(value, format='#,##0.00', locale=lang)} {currency}"

    def day(value: date) -> str:
        return format_date(value, format="long", locale=lang)

    return {"money": money, "day": day, "lang": lang}


def render(kind: str, locale: str | None, **values: Any) -> Rendered:
    """The `kind` e-mail in `locale` (English when Avtal does not speak it): the text template's first
    line is the subject."""
    lang = locale_of(locale)
    context = {**formatters(lang), **values}
    text = _env.get_template(f"{kind}_{lang}.txt").render(**context)
    subject, _, body = text.partition("\n")
    html = _env.get_template(f"{kind}_{lang}.html").render(subject=subject.strip(), **context)
    return Rendered(subject.strip(), body.lstrip("\n"), html)
