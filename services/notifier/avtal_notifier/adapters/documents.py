"""Outbound port of the notifier: invoice PDFs fetched from billing by claim check."""

from __future__ import annotations

import hashlib
from typing import Protocol

import httpx

from avtal_common.logging import CORRELATION_HEADER, current_correlation_id


class PdfFetcher(Protocol):
    async def fetch(self, path: str, sha256: str) -> bytes:
        """The document at `path`, only if its SHA-256 is `sha256`."""
        ...


class BillingDocuments:
    """Fetches a PDF from billing's internal API and checks it against the hash in the event."""

    def __init__(self, base_url: str) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, timeout=20)

    async def fetch(self, path: str, sha256: str) -> bytes:
        headers = {CORRELATION_HEADER: current_correlation_id() or ""}
        r = await self._client.get(path, headers=headers)
        r.raise_for_status()
        if hashlib.sha256(r.content).hexdigest() != sha256:
            raise ValueError(f"document {path} does not match the hash in its event")
        return r.content

    async def close(self) -> None:
        await self._client.aclose()
