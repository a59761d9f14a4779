"""A broker of the test's own that it may stop and start: Tansu locally, Apache Kafka under test-kafka."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from avtal_stack.broker import LocalTansu
from avtal_testing.stack import ROOT

KAFKA_PY = ROOT / "deploy" / "kafka" / "kafka.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnBroker:
    def __init__(self, profile: str, home: Path) -> None:
        self.profile, self.home = profile, home
        self.port = free_port()
        self._tansu = LocalTansu(home, self.port) if profile == "local" else None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        if self._tansu:
            self._tansu.start()
        else:
            self._kafka("start", "--nodes", "1", "--port-base", str(self.port))

    def stop(self) -> None:
        if self._tansu:
            self._tansu.stop()
        else:
            self._kafka("kill-node", "--node", "1")

    def restart(self) -> None:
        if self._tansu:
            self._tansu.start()
        else:
            self._kafka("start-node", "--node", "1")

    def close(self) -> None:
        if self._tansu:
            self._tansu.stop()
        else:
            self._kafka("stop")

    def _kafka(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, str(KAFKA_PY), args[0], "--base-dir", str(self.home / "kafka"), *args[1:]],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=180,
        )
