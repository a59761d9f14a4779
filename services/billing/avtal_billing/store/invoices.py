"""Invoices, their lines, gapless numbers and PDFs (asyncpg)."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from avtal_billing.domain.adjustments import Billed, LineKey
from avtal_billing.domain.invoices import Invoice, InvoiceLine
from avtal_billing.store.contracts import buyer_from, buyer_json
from avtal_common.errors import NotFound

# The counter row stays locked until the transaction ends, so the numbers are gapless: a rollback
# returns them, and numbers reserved but not used are given back before the commit.
_RESERVE = """
INSERT INTO invoice_sequences (series, last_no) VALUES ($1, $2)
ON CONFLICT (series) DO UPDATE SET last_no = invoice_sequences.last_no + EXCLUDED.last_no
RETURNING last_no
"""
_RELEASE = "UPDATE invoice_sequences SET last_no = last_no - $2 WHERE series = $1"
# A whole chunk of invoices in three statements (arrays, not one round trip per row).
_ADD = """
INSERT INTO invoices (invoice_id, invoice_no, contract_id, contract_no, customer_id, customer_name,
    customer_email, locale, currency, issue_date, due_date, period_start, period_end, total, status,
    run_id, correlation_id, kind, series, buyer, net, vat, reverse_charge, ocr, credits_invoice_id,
    notices, issued_at)
SELECT i.invoice_id, i.invoice_no, i.contract_id, i.contract_no, i.customer_id, i.customer_name,
    i.customer_email, i.locale, i.currency, i.issue_date, i.due_date, i.period_start, i.period_end, i.total,
    i.status, i.run_id, i.correlation_id, i.kind, i.series, i.buyer, i.net, i.vat, i.reverse_charge, i.ocr,
    i.credits_invoice_id, i.notices::jsonb, CASE WHEN i.status = 'draft' THEN NULL ELSE now() END
FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::date[], $11::date[], $12::date[], $13::date[], $14::numeric[],
    $15::text[], $16::uuid[], $17::text[], $18::text[], $19::text[], $20::jsonb[], $21::numeric[],
    $22::numeric[], $23::bool[], $24::text[], $25::uuid[], $26::text[])
    AS i(invoice_id, invoice_no, contract_id, contract_no, customer_id, customer_name, customer_email,
         locale, currency, issue_date, due_date, period_start, period_end, total, status, run_id,
         correlation_id, kind, series, buyer, net, vat, reverse_charge, ocr, credits_invoice_id, notices)
"""
_ADD_LINES = """
INSERT INTO invoice_lines (invoice_id, line_no, description, period_start, period_end, amount,
    contract_id, contract_no, billing_period_start, line_id, serials, quantity, unit_price, vat_rate, vat,
    kind)
SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::date[], $5::date[], $6::numeric[],
    $7::uuid[], $8::text[], $9::date[], $10::uuid[], $11::text[], $12::int[], $13::numeric[],
    $14::numeric[], $15::numeric[], $16::text[])
"""
_MARK_BILLED = """
UPDATE billing_periods p SET invoice_id = v.invoice_id
FROM (SELECT DISTINCT * FROM unnest($1::uuid[], $2::date[], $3::uuid[])) AS v(contract_id, period_start,
                                                                             invoice_id)
WHERE p.contract_id = v.contract_id AND p.period_start = v.period_start
"""
_COLUMNS = (
    "invoice_id, invoice_no, contract_id, contract_no, customer_id, customer_name, customer_email, "
    "locale, currency, issue_date, due_date, period_start, period_end, total, status, run_id, "
    "correlation_id, pdf_sha256, pdf_attempts, pdf_error, kind, series, buyer, net, vat, reverse_charge, "
    "ocr, credits_invoice_id, notices, paid, "
    # A credit note prints the number of the invoice it credits.
    "(SELECT c.invoice_no FROM invoices c WHERE c.invoice_id = invoices.credits_invoice_id) "
    "AS credits_invoice_no"
)
_GET_MANY = f"SELECT {_COLUMNS} FROM invoices WHERE invoice_id = ANY($1::uuid[]) ORDER BY created_at"
_LINES = """
SELECT invoice_id, line_no, description, period_start, period_end, amount, contract_id, contract_no,
       billing_period_start, line_id, serials, quantity, unit_price, vat_rate, vat, kind FROM invoice_lines
WHERE invoice_id = ANY($1::uuid[]) ORDER BY invoice_id, line_no
"""
_FILTER = (
    "($1::uuid IS NULL OR customer_id = $1) AND ($2::uuid IS NULL OR contract_id = $2) "
    "AND ($3::text IS NULL OR kind = $3)"
)
_SEARCH = f"""
SELECT {_COLUMNS} FROM invoices WHERE {_FILTER}
ORDER BY issue_date DESC, invoice_no DESC LIMIT $4 OFFSET $5
"""
_COUNT = f"SELECT count(*) FROM invoices WHERE {_FILTER}"
_PDF = "SELECT pdf FROM invoices WHERE invoice_id = $1"
# A lease, not a lock: the PDF is rendered outside any transaction; if this issuer dies, another
# takes the invoice over once `pdf_not_before` has passed.
_CLAIM = """
UPDATE invoices SET pdf_not_before = now() + make_interval(secs => $2), pdf_attempts = pdf_attempts + 1
WHERE invoice_id IN (
    SELECT invoice_id FROM invoices
    WHERE pdf IS NULL AND (pdf_not_before IS NULL OR pdf_not_before <= now())
    ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING invoice_id
"""
# `pdf IS NULL` under the row lock: of two issuers that rendered the same invoice, one stores it.
_ATTACH = """
UPDATE invoices SET pdf = $2, pdf_sha256 = $3, pdf_error = NULL, pdf_not_before = NULL
WHERE invoice_id = $1 AND pdf IS NULL
"""
# Re-rendering on demand replaces an issued PDF (same invoice, new checksum) and announces nothing.
_REPLACE_PDF = "UPDATE invoices SET pdf = $2, pdf_sha256 = $3 WHERE invoice_id = $1 AND pdf IS NOT NULL"
_RUN_PDFS = """
SELECT coalesce(invoice_no, invoice_id::text) AS name, pdf FROM invoices
WHERE run_id = (SELECT run_id FROM billing_runs WHERE run_key = $1) AND pdf IS NOT NULL
ORDER BY invoice_no
"""
# What each contract line of each schedule period came to so far: its invoice line and any credits.
_BILLED_LINES = """
SELECT l.billing_period_start, l.line_id, sum(l.amount) AS amount, min(l.description) AS description,
       min(l.serials) AS serials, max(l.vat_rate) AS vat_rate
FROM invoice_lines l JOIN invoices i USING (invoice_id)
WHERE l.contract_id = $1 AND i.status <> 'draft' AND i.kind <> 'renewal_quote'
GROUP BY l.billing_period_start, l.line_id
"""
_QUOTE_EXISTS = """
SELECT EXISTS (SELECT 1 FROM invoices WHERE contract_id = $1 AND kind = 'renewal_quote' AND period_start = $2)
"""
_RENDER_FAILED = """
UPDATE invoices SET pdf_error = $2, pdf_not_before = now() + make_interval(secs => $3)
WHERE invoice_id = $1 AND pdf IS NULL
"""


class InvoiceRepo:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def reserve_numbers(self, series: str, count: int) -> int:
        """Reserve `count` consecutive numbers of `series`; returns the first."""
        last: int = await self._conn.fetchval(_RESERVE, series, count)
        return last - count + 1

    async def release_numbers(self, series: str, count: int) -> None:
        """Give back the last `count` numbers reserved in this transaction."""
        if count:
            await self._conn.execute(_RELEASE, series, count)

    async def add_all(self, invoices: list[Invoice]) -> None:
        """Store the invoices with their lines and mark their periods billed."""
        columns = [[getattr(inv, name) for inv in invoices] for name in _INVOICE_FIELDS]
        columns.append([buyer_json(inv.buyer) if inv.buyer else None for inv in invoices])
        columns += [[getattr(inv, name) for inv in invoices] for name in _INVOICE_FIELDS_2]
        columns.append([json.dumps(list(inv.notices)) for inv in invoices])  # text: a list is an array
        await self._conn.execute(_ADD, *columns)
        lines = [(inv.invoice_id, ln) for inv in invoices for ln in inv.lines]
        await self._conn.execute(
            _ADD_LINES,
            [i for i, _ in lines],
            *([getattr(ln, f) for _, ln in lines] for f in _LINE_FIELDS),
        )
        billed = [
            (ln.contract_id, ln.billing_period_start, inv.invoice_id)
            for inv in invoices
            if inv.kind == "invoice"
            for ln in inv.lines
            if ln.kind == "invoice" and ln.contract_id is not None and ln.billing_period_start is not None
        ]
        if billed:
            await self._conn.execute(_MARK_BILLED, *(list(col) for col in zip(*billed, strict=True)))

    async def get(self, invoice_id: uuid.UUID) -> Invoice:
        found = await self.get_many([invoice_id])
        if not found:
            raise NotFound(f"invoice {invoice_id} does not exist")
        return found[0]

    async def get_many(self, invoice_ids: list[uuid.UUID]) -> list[Invoice]:
        rows = await self._conn.fetch(_GET_MANY, invoice_ids)
        lines: dict[uuid.UUID, list[InvoiceLine]] = defaultdict(list)
        for r in await self._conn.fetch(_LINES, invoice_ids):
            lines[r["invoice_id"]].append(InvoiceLine(*(r[f] for f in _LINE_FIELDS)))
        return [_invoice(r, tuple(lines[r["invoice_id"]])) for r in rows]

    async def search(
        self,
        customer_id: uuid.UUID | None,
        contract_id: uuid.UUID | None,
        limit: int,
        offset: int,
        kind: str | None = None,
    ) -> tuple[list[Invoice], int]:
        """One page of invoices (newest first, without their lines) and how many match in all."""
        rows = await self._conn.fetch(_SEARCH, customer_id, contract_id, kind, limit, offset)
        total: int = await self._conn.fetchval(_COUNT, customer_id, contract_id, kind)
        return [_invoice(r, ()) for r in rows], total

    async def pdf(self, invoice_id: uuid.UUID) -> bytes:
        row = await self._conn.fetchrow(_PDF, invoice_id)
        if row is None or row["pdf"] is None:
            raise NotFound(f"the PDF of invoice {invoice_id} does not exist (yet)")
        return bytes(row["pdf"])

    async def claim_unrendered(self, limit: int, lease_s: float) -> list[Invoice]:
        """Lease up to `limit` invoices without a PDF to this issuer for `lease_s` seconds."""
        ids = [r["invoice_id"] for r in await self._conn.fetch(_CLAIM, limit, lease_s)]
        return await self.get_many(ids) if ids else []

    async def attach_pdf(self, invoice_id: uuid.UUID, pdf: bytes, sha256: str) -> bool:
        """Store the PDF unless the invoice has one already; True if this one was stored."""
        return str(await self._conn.execute(_ATTACH, invoice_id, pdf, sha256)).endswith(" 1")

    async def billed_lines(self, contract_id: uuid.UUID) -> dict[LineKey, Billed]:
        rows = await self._conn.fetch(_BILLED_LINES, contract_id)
        return {
            (r["billing_period_start"], r["line_id"]): Billed(
                r["amount"], r["description"], r["serials"], r["vat_rate"]
            )
            for r in rows
        }

    async def quote_exists(self, contract_id: uuid.UUID, term_start: date) -> bool:
        return bool(await self._conn.fetchval(_QUOTE_EXISTS, contract_id, term_start))

    async def replace_pdf(self, invoice_id: uuid.UUID, pdf: bytes, sha256: str) -> bool:
        """Replace an issued invoice's PDF; False while it has none yet (the issuer renders it first)."""
        return str(await self._conn.execute(_REPLACE_PDF, invoice_id, pdf, sha256)).endswith(" 1")

    async def run_pdfs(self, run_key: str) -> list[tuple[str, bytes]]:
        """The run's rendered PDFs by invoice number."""
        return [(r["name"], bytes(r["pdf"])) for r in await self._conn.fetch(_RUN_PDFS, run_key)]

    async def record_render_failure(self, invoice_id: uuid.UUID, error: str, retry_after_s: float) -> None:
        await self._conn.execute(_RENDER_FAILED, invoice_id, error, retry_after_s)


_INVOICE_FIELDS = (
    *("invoice_id", "invoice_no", "contract_id", "contract_no", "customer_id", "customer_name"),
    *("customer_email", "locale", "currency", "issue_date", "due_date", "period_start"),
    *("period_end", "total", "status", "run_id", "correlation_id", "kind", "series"),
)
_INVOICE_FIELDS_2 = ("net", "vat", "reverse_charge", "ocr", "credits_invoice_id")
_LINE_FIELDS = (
    *("line_no", "description", "period_start", "period_end", "amount", "contract_id", "contract_no"),
    *("billing_period_start", "line_id", "serials", "quantity", "unit_price", "vat_rate", "vat", "kind"),
)


def _invoice(row: Any, lines: tuple[InvoiceLine, ...]) -> Invoice:
    d = dict(row)
    d["buyer"] = buyer_from(d["buyer"])
    d["notices"] = tuple(d["notices"] or ())
    return Invoice(**d, lines=lines)
