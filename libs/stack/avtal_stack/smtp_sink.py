"""A local SMTP sink (aiosmtpd) that keeps every message it receives in a Maildir."""

from __future__ import annotations

import argparse
import asyncio
import mailbox
import signal
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, path: Path) -> None:
        for sub in ("tmp", "new", "cur"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        self.box = mailbox.Maildir(str(path), create=False)

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
