"""A local SMTP sink (aiosmtpd) that keeps every message it receives in a Maildir, and refuses for good
(550) every recipient at the reserved domain `refused.example`, so the demo and tests can make a permanent
delivery failure."""

from __future__ import annotations

import argparse
import asyncio
import mailbox
import signal
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

REFUSED_DOMAIN = "refused.example"


class MaildirHandler:
    def __init__(self, path: Path) -> None:
        for sub in ("tmp", "new", "cur"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        self.box = mailbox.Maildir(str(path), create=False)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower().endswith(f"@{REFUSED_DOMAIN}"):
            return f"550 5.1.1 <{address}>: mailbox unavailable (the sink refuses {REFUSED_DOMAIN})"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = mailbox.MaildirMessage(envelope.original_content or envelope.content)
        msg["X-Avtal-Rcpt-To"] = ", ".join(envelope.rcpt_tos)
        self.box.add(msg)
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description="Avtal local SMTP sink")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--maildir", type=Path, required=True)
    args = parser.parse_args()
    controller = Controller(MaildirHandler(args.maildir), hostname="127.0.0.1", port=args.port)
    controller.start()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
