"""Rendering invoice e-mails (Jinja templates en/sv, text and HTML) and SMTP retry backoff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from notifier.unit.samples import invoice_generated

from avtal_notifier.adapters.templates import render
from avtal_notifier.domain.emails import SUPPORTED_LOCALES, gives_up, jittered, locale_of, retry_delay


def compose(kind: str, locale: str | None, **values: object) -> tuple[str, str]:
    r = render(kind, locale, **values)
    return r.subject, r.text


def test_the_english_invoice_email_has_an_english_subject_and_body() -> None:
    subject, body = compose("invoice", "en", e=invoice_generated("en"))

    assert subject == "Invoice INV-2025-000042"
    assert body.startswith("Dear Acme Kontor AB,")
    assert "Amount due" in body


def test_the_swedish_invoice_email_has_a_swedish_subject_and_body() -> None:
    subject, body = compose("invoice", "sv", e=invoice_generated("sv"))

    assert subject == "Faktura INV-2025-000042"
    assert body.startswith("Hej Acme Kontor AB,")
    assert "Att betala" in body
    assert "Förfallodag" in body
    assert "Amount due" not in body


@pytest.mark.parametrize("locale", ["en", "sv"])
def test_the_invoice_values_appear_in_the_body(locale: str) -> None:
    _, body = compose("invoice", locale, e=invoice_generated(locale))

    for value in (
        "INV-2025-000042",
        "Acme Kontor AB",
    ):
        assert value in body, value


@pytest.mark.parametrize(
    ("locale", "amount", "due"),
    [("en", "1,234.50 SEK", "May 1, 2025"), ("sv", "1\xa0234,50 SEK", "1 maj 2025")],
)
def test_amounts_and_dates_are_written_the_way_the_language_writes_them(
    locale: str, amount: str, due: str
) -> None:
    r = render("invoice", locale, e=invoice_generated(locale))

    assert amount in r.text and amount in r.html
    assert due in r.text and due in r.html


@pytest.mark.parametrize("locale", ["en", "sv"])
def test_the_subject_is_one_line_and_not_repeated_at_the_top_of_the_body(locale: str) -> None:
    subject, body = compose("invoice", locale, e=invoice_generated(locale))

    assert "\n" not in subject
    assert subject
    assert not body.startswith(subject)
    assert not body.startswith("\n")


@pytest.mark.parametrize("locale", ["de", "EN", "", None, "sv-SE"])
def test_an_unknown_locale_falls_back_to_english(locale: str | None) -> None:
    invoice = invoice_generated()

    subject, body = compose("invoice", locale, e=invoice)  # type: ignore[arg-type]

    assert (subject, body) == compose("invoice", "en", e=invoice)
    assert subject.startswith("Invoice ")


def test_compose_renders_the_same_invoice_identically_each_time() -> None:
    invoice = invoice_generated("sv")

    assert compose("invoice", "sv", e=invoice) == compose("invoice", "sv", e=invoice)


@pytest.mark.parametrize(("value", "expected"), [("en", "en"), ("sv", "sv"), ("fi", "en"), (None, "en")])
def test_locale_of_keeps_a_supported_locale_and_defaults_to_english(value: str | None, expected: str) -> None:
    assert locale_of(value) == expected


def test_english_and_swedish_are_the_supported_locales() -> None:
    assert set(SUPPORTED_LOCALES) == {"en", "sv"}


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(0, 5), (1, 5), (2, 10), (3, 20), (4, 40), (10, 2560), (11, 3600)]
)
def test_retry_delay_doubles_from_five_seconds(attempts: int, seconds: int) -> None:
    assert retry_delay(attempts) == timedelta(seconds=seconds)


@pytest.mark.parametrize(("draw", "seconds"), [(0.0, 40), (0.5, 45), (0.999, 49.99), (7.0, 50)])
def test_jitter_stretches_a_delay_by_at_most_a_quarter(draw: float, seconds: float) -> None:
    assert jittered(timedelta(seconds=40), draw) == timedelta(seconds=seconds)


def test_retry_delay_grows_and_never_shrinks() -> None:
    delays = [retry_delay(n) for n in range(1, 40)]

    assert delays == sorted(delays)
    assert delays[1] > delays[0]


@pytest.mark.parametrize("attempts", [12, 13, 50, 1000])
def test_retry_delay_is_capped_at_one_hour(attempts: int) -> None:
    assert retry_delay(attempts) == timedelta(hours=1)


@pytest.mark.parametrize(("attempts", "expected"), [(1, False), (7, False), (8, True), (9, True)])
def test_an_email_is_given_up_once_its_failed_attempts_reach_the_maximum(
    attempts: int, expected: bool
) -> None:
    assert gives_up(attempts, max_attempts=8) is expected
