"""The notifier fetches only billing's invoice PDFs, with the service token, whatever an event names."""

from __future__ import annotations

import hashlib
import uuid

import httpx
import pytest

from avtal_notifier.adapters.documents import BillingDocuments

BILLING = "http://billing.internal:8103"
PDF = b"%PDF-1.7 an invoice"


def _documents(seen: list[httpx.Request]) -> BillingDocuments:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=PDF)

    documents = BillingDocuments(BILLING, "the-service-token-0123456789")
    # Same client settings, but answered in memory: this test is about what is requested, and where.
    documents._client = httpx.AsyncClient(
        base_url=BILLING, headers=documents._client.headers, transport=httpx.MockTransport(answer)
    )
    return documents


async def test_an_invoice_pdf_is_fetched_from_billing_with_the_service_token() -> None:
    seen: list[httpx.Request] = []
    path = f"/invoices/{uuid.uuid4()}/pdf"
    assert await _documents(seen).fetch(path, hashlib.sha256(PDF).hexdigest()) == PDF
    assert [str(r.url) for r in seen] == [f"{BILLING}{path}"]
    assert seen[0].headers["authorization"] == "Bearer the-service-token-0123456789"


@pytest.mark.parametrize(
    "path",
    [
        "http://evil.example/steal",
        "//evil.example/invoices/x/pdf",
        "/invoices/../metrics",
        "invoices/2025/INV-2025-000001.pdf",
        f"/invoices/{uuid.uuid4()}/pdf?x=1",
    ],
)
async def test_any_other_path_is_refused_before_a_request_is_made(path: str) -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(ValueError, match="not an invoice PDF path on billing"):
        await _documents(seen).fetch(path, hashlib.sha256(PDF).hexdigest())
    assert seen == []
