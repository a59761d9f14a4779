"""Payment references: OCR numbers with a length digit and a Luhn (mod 10) check digit, as Bankgiro
reads them, so a payer's typo is caught at the bank and a payment quoting one is matched exactly."""

from __future__ import annotations


def luhn_digit(digits: str) -> int:
    """The mod 10 check digit of `digits`: weights 2, 1, 2, … from the right, digit sums of products."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def is_valid_ocr(reference: str) -> bool:
    """True if `reference` is all digits, its length digit matches and its check digit is right."""
    if not reference.isdigit() or len(reference) < 3:
        return False
    body, length, check = reference[:-2], reference[-2], reference[-1]
    return int(length) == len(reference) % 10 and luhn_digit(reference[:-1]) == int(check) and body != ""


def ocr_reference(year: int, number: int, prefix: int = 1) -> str:
    """The OCR reference of invoice `number` of `year`: kind prefix, year, number, length digit, check
    digit (e.g. 1 2026 000123 → 12026000123 5 x). Unique per invoice, as the invoice number is."""
    body = f"{prefix}{year:04d}{number:06d}"
    with_length = body + str((len(body) + 2) % 10)
    return with_length + str(luhn_digit(with_length))
