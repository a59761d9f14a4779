"""Outbound port of the notifier: invoice PDFs fetched from billing by claim check."""

from __future__ import annotations

import hashlib
from typing import Protocol

import httpx

from avtal_common.logging import CORRELATION_HEADER, current_correlation_id
from avtal_common.payloads.billing import is_invoice_pdf_path


class PdfFetcher(Protocol):
    async def fetch(self, path: str, sha256: str) -> bytes:
        """The document at `path`, only if its SHA-256 is `sha256`."""
        ...


class BillingDocuments:
    """Fetches a PDF from billing's internal API and checks it against the hash in the event."""

    def __init__(self, base_url: str, service_token: str) -> None:
        auth = {"Authorization": f"Bearer {service_token}"}
        self._client = httpx.AsyncClient(base_url=base_url, timeout=20, headers=auth)

    async def fetch(self, path: str, sha256: str) -> bytes:
        # The path comes from an event: only billing's invoice PDFs, never a URL the event chose
        # (the request carries the service token).
        if not is_invoice_pdf_path(path):
            raise ValueError(f"refusing to fetch {path[:100]!r}: not an invoice PDF path on billing")
        headers = {CORRELATION_HEADER: current_correlation_id() or ""}
        r = await self._client.get(path, headers=headers)
        r.raise_for_status()
        if hashlib.sha256(r.content).hexdigest() != sha256:
            raise ValueError(f"document {path} does not match the hash in its event")
        return r.content

    async def close(self) -> None:
        await self._client.aclose()
