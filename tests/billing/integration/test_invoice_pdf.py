"""Invoice PDFs through the real renderer (WeasyPrint in its worker pool), read back as text: the legal
content in the buyer's language, and nothing a customer typed can make the renderer fetch anything."""

from __future__ import annotations

import http.server
import io
import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from avtal_billing.adapters import pdf as pdf_adapter
from avtal_billing.adapters.pdf import WeasyPrintRenderer
from avtal_billing.domain.contracts import Buyer, Contract
from avtal_billing.domain.invoices import DuePeriod, Invoice, Seller, bill
from avtal_billing.domain.schedules import PeriodLine

SELLER = Seller("Avtal Demo AB", "Storgatan 1, 111 22 Stockholm", "SE556000000001", "556000-0000",
                "5050-1055", "SE45 5000 0000 0583 9825 7466", "ESSESESS")  # fmt: skip


def _invoice(locale: str, name: str = "Nordic Freight AB", reverse: bool = False) -> Invoice:
    country, vat_no = ("DE", "DE287654321") if reverse else ("SE", None)
    buyer = Buyer(uuid.uuid4(), name, "ap@nf.example", locale, "Hamngatan 5", "211 22", "Malmö", country,
                  vat_no, reverse_charge=reverse)  # fmt: skip
    contract = Contract(
        uuid.uuid4(), "C-000042", buyer.customer_id, name, buyer.email, locale, "SEK", 1, buyer
    )
    lines = (
        PeriodLine("Server care Gold (SRV-GOLD)", Decimal("1234.50"), uuid.uuid4(), None, None, "CZ2D1A0B7X"),
        PeriodLine(
            "Manuals (DOC)", Decimal("100.00"), uuid.uuid4(), None, None, "MAN-1", vat_rate=Decimal(6)
        ),
    )
    period = DuePeriod(contract, date(2026, 1, 1), date(2026, 3, 31), lines)
    return bill(period, "INV-2026-000123", date(2026, 1, 15), 30, invoice_no=123)


@pytest.fixture(scope="module")
def renderer() -> Iterator[WeasyPrintRenderer]:
    r = WeasyPrintRenderer(1)
    yield r
    r.close()


def _text(data: bytes) -> str:
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def test_a_swedish_invoice_is_in_swedish_with_totals_per_rate_periods_serials_and_payment(
    renderer: WeasyPrintRenderer,
) -> None:
    inv = _invoice("sv")

    text = _text(await renderer.render(inv, SELLER))

    for expected in ("Faktura", "Förfallodatum", "Moms", "INV-2026-000123", "2026-02-14", "C-000042",
                     "2026-01-01 – 2026-03-31", "CZ2D1A0B7X", "MAN-1", "Hamngatan 5", "211 22 Malmö",
                     "1 234,50", "308,63", "6,00", "1 649,13", inv.ocr or "-", "5050-1055", "556000-0000",
                     "SE556000000001"):  # fmt: skip
        assert expected in text, f"{expected!r} missing from the PDF text"
    assert (inv.net, inv.vat, inv.total) == (Decimal("1334.50"), Decimal("314.63"), Decimal("1649.13"))


async def test_an_english_invoice_is_in_english_and_reverse_charge_names_both_vat_numbers(
    renderer: WeasyPrintRenderer,
) -> None:
    inv = _invoice("en", reverse=True)

    text = _text(await renderer.render(inv, SELLER))

    for expected in ("Invoice", "Due date", "Amount due", "1,234.50", "1,334.50", "Reverse charge",
                     "DE287654321", "SE556000000001", "Article 196"):  # fmt: skip
        assert expected in text, f"{expected!r} missing from the PDF text"
    assert "Faktura" not in text and inv.vat == 0


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


async def test_markup_in_a_customer_name_and_urls_in_the_html_fetch_nothing_and_the_pdf_renders(
    renderer: WeasyPrintRenderer,
) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        name = f'<img src="file:///etc/passwd"><img src="{url}/name.png"><i style="background:url({url}/s)">'
        escaped = await renderer.render(_invoice("en", name=name), SELLER)
        # Even HTML that does ask for resources (were escaping ever bypassed) fetches nothing.
        hostile = pdf_adapter.invoice_html(_invoice("en"), SELLER).replace(
            "<body>",
            f'<body><img src="{url}/raw.png"><div style="background:url({url}/css)">x</div>'
            '<img src="file:///etc/passwd"><link rel="stylesheet" href="' + url + '/sheet.css">',
            1,
        )
        raw = await renderer.render_html(hostile)
    finally:
        server.shutdown()

    assert _Counting.hits == [], "the renderer fetched a URL"
    assert escaped.startswith(b"%PDF") and raw.startswith(b"%PDF")
    assert 'img src="file:///etc/passwd"' in _text(escaped), "the name is printed as text"
    assert "root:" not in _text(raw)


def test_the_credit_note_and_the_quote_have_their_own_titles_and_no_payment_request() -> None:
    inv = _invoice("sv")
    credit = pdf_adapter.invoice_html(replace(inv, kind="credit_note"), SELLER)
    quote = pdf_adapter.invoice_html(replace(_invoice("en"), kind="renewal_quote"), SELLER)

    assert "Kreditfaktura" in credit and "Betala " not in credit
    assert "Renewal quote" in quote and "Please pay" not in quote and "Pro forma" in quote


async def test_a_credit_note_pdf_names_the_invoice_it_credits_in_the_buyers_language(
    renderer: WeasyPrintRenderer,
) -> None:
    credit = replace(_invoice("sv"), kind="credit_note", invoice_no="CN-2026-000007",
                     credits_invoice_no="INV-2026-000123")  # fmt: skip
    english = replace(credit, locale="en")

    sv, en = _text(await renderer.render(credit, SELLER)), _text(await renderer.render(english, SELLER))

    assert "Kreditfaktura" in sv and "Krediterar faktura" in sv and "INV-2026-000123" in sv
    assert "Credit note" in en and "Credits invoice" in en and "INV-2026-000123" in en
    assert "Förfallodatum" not in sv and "Due date" not in en
