"""Outbound port of the notifier: e-mail delivery over SMTP."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib


class PermanentFailure(Exception):
    """The mail server refused this message for good (a 5xx reply to it or its recipient): trying again
    cannot help, so the e-mail is failed at once."""


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand `message` to the mail system; raises `PermanentFailure` if it was refused for good and
        any other exception for a failure worth retrying (no connection, a 4xx reply, a timeout)."""
        ...


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
        try:
            await aiosmtplib.send(message, **self._kw)
        except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPResponseException) as exc:
            if is_permanent(exc):
                raise PermanentFailure(describe(exc)) from exc
            raise


def _codes(exc: Exception) -> list[int]:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return [r.code for r in exc.recipients]
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return [exc.code]
    return []


def is_permanent(exc: Exception) -> bool:
    """A 5xx reply about this message (sender, recipients, data). Not a refused login (535): that is
    our configuration, and mails wait for it to be fixed rather than fail one by one."""
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return False
    codes = _codes(exc)
    return bool(codes) and all(500 <= c < 600 for c in codes)


def describe(exc: Exception) -> str:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}"
    return repr(exc)
