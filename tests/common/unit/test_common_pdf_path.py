"""`pdf_path` in `invoice.generated` is a path on the billing service, never a URL of the event's choosing."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from pydantic import ValidationError

from avtal_common.payloads.billing import InvoiceGenerated, is_invoice_pdf_path

SAMPLE = Path(__file__).parents[2] / "contracts" / "samples" / "invoice.generated.v1.json"


def _payload(pdf_path: str) -> InvoiceGenerated:
    data = json.loads(SAMPLE.read_text())["data"]
    return InvoiceGenerated.model_validate(data | {"pdf_path": pdf_path})


def test_the_path_billing_publishes_is_accepted() -> None:
    path = f"/invoices/{uuid.uuid4()}/pdf"
    assert _payload(path).pdf_path == path
    assert is_invoice_pdf_path(path)


@pytest.mark.parametrize(
    "pdf_path",
    [
        "http://evil.example/x.pdf",
        "https://billing.internal/invoices/1/pdf",
        "//evil.example/invoices/1/pdf",
        "file:///etc/passwd",
        "/invoices/../metrics",
        "../secrets",
        "/invoices/%2e%2e/pdf",
        "/invoices/1/pdf?next=http://evil.example",
        "\\\\evil.example\\share",
        "",
        "/",
        "/invoices//pdf",
    ],
)
def test_an_absolute_url_or_a_path_leaving_billing_is_refused(pdf_path: str) -> None:
    with pytest.raises(ValidationError, match="is not a path on the billing service"):
        _payload(pdf_path)
    assert not is_invoice_pdf_path(pdf_path)


def test_the_old_sample_path_still_parses_but_is_not_a_pdf_a_consumer_may_fetch() -> None:
    old = json.loads(SAMPLE.read_text())["data"]["pdf_path"]
    assert _payload(old).pdf_path == old
    assert not is_invoice_pdf_path(old)


@pytest.mark.parametrize(
    "path", [f"/invoices/{uuid.uuid4()}/pdf/", "/invoices/not-a-uuid/pdf", "/invoices/1/pdf"]
)
def test_only_an_invoice_pdf_path_with_a_uuid_is_fetchable(path: str) -> None:
    assert not is_invoice_pdf_path(path)
