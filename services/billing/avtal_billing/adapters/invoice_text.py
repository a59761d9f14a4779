"""What an invoice says in each language, and amounts and rates written the way that language writes
them (Babel's locale data: `1 234,50` in Swedish, `1,234.50` in English)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "lang": "en", "invoice": "Invoice", "credit_note": "Credit note", "renewal_quote": "Renewal quote",
        "number": "No.", "issue_date": "Invoice date", "due_date": "Due date", "contract": "Contract",
        "period": "Service period", "ocr": "Payment reference (OCR)", "bill_to": "Bill to",
        "org_no": "Org. no.", "vat_no": "VAT no.", "description": "Description", "qty": "Qty",
        "vat_rate": "VAT", "net": "Net", "serials": "Serial no.", "net_at": "Net at", "vat": "VAT",
        "net_total": "Total excl. VAT", "vat_total": "Total VAT", "total_due": "Amount due", "total": "Total",
        "reverse_charge": "Reverse charge: VAT is to be accounted for by the buyer "
        "(Article 196, Council Directive 2006/112/EC).",
        "price_change": "Announced price change.", "from_date": "from", "payment": "Payment",
        "please_pay": "Please pay", "by": "by", "quoting": "quoting the reference",
        "credit_text": "This credit note reduces the amount you owe; it is settled against your invoices.",
        "quote_text": "Pro forma: this quote for the next term is not an invoice and asks for no payment.",
        "credits": "Credits invoice",
    },
    "sv": {
        "lang": "sv", "invoice": "Faktura", "credit_note": "Kreditfaktura",
        "renewal_quote": "Offert – förnyelse",
        "number": "Nr", "issue_date": "Fakturadatum", "due_date": "Förfallodatum", "contract": "Avtal",
        "period": "Period", "ocr": "OCR-nummer", "bill_to": "Faktureras till", "org_no": "Org.nr",
        "vat_no": "Momsreg.nr", "description": "Beskrivning", "qty": "Antal", "vat_rate": "Moms",
        "net": "Belopp", "serials": "Serienr", "net_at": "Underlag moms", "vat": "Moms",
        "net_total": "Summa exkl. moms", "vat_total": "Summa moms", "total_due": "Att betala",
        "total": "Summa",
        "reverse_charge": "Omvänd skattskyldighet: köparen redovisar momsen "
        "(artikel 196 i rådets direktiv 2006/112/EG).",
        "price_change": "Aviserad prisändring.", "from_date": "från", "payment": "Betalning",
        "please_pay": "Betala", "by": "senast", "quoting": "och ange OCR-nummer",
        "credit_text": "Kreditfakturan minskar ditt skuldbelopp och kvittas mot dina fakturor.",
        "quote_text": "Proforma: offerten för nästa avtalsperiod är ingen faktura och ska inte betalas.",
        "credits": "Krediterar faktura",
    },
}  # fmt: skip


def labels(locale: str) -> dict[str, str]:
    """The customer's language, or English for one Avtal does not speak yet."""
    return LABELS.get(locale.split("-", maxsplit=1)[0].lower(), LABELS["en"])


def formatters(locale: str) -> dict[str, Any]:
    """`money` and `pct` for the template, in the customer's language."""
    lang = labels(locale)["lang"]

    def money(value: Decimal) -> str:
        return format_decimal(value, format="#,##0.00", locale=lang)

    def pct(value: Decimal) -> str:
        return format_decimal(value, format="#,##0.##", locale=lang) + " %"

    return {"money": money, "pct": pct}
