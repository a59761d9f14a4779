"""Outbound ports of the notifier: SMTP delivery and documents fetched by claim check."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib
import httpx

from avtal_common.logging import CORRELATION_HEADER, current_correlation_id


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class DocumentStore(Protocol):
    async def fetch(self, path: str, sha256: str) -> bytes: ...


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        username: str | None,
        password: str | None,
        starttls: bool,
        timeout_s: float,
    ) -> None:
        self._kw = {
            "hostname": host,
            "port": port,
            "username": username,
            "password": password,
            "start_tls": starttls,
            "timeout": timeout_s,
        }

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(message, **self._kw)


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
