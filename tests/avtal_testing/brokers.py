"""A broker of the test's own that it may stop and start: Tansu locally, Apache Kafka under test-kafka."""

from __future__ import annotations

import random
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


def broker_port() -> int:
    """A free port below the ephemeral range (32768+), with its controller port
    (+100, Apache Kafka) free too: a client's outgoing connection never takes it
    while the broker is down between a stop and a restart."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 32000)
        if 29092 <= port <= 29400:  # the test-kafka cluster's ports
            continue
        try:
            for p in (port, port + 100):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
        except OSError:
            continue
        return port
    raise RuntimeError("no free broker port below 32000")


class OwnBroker:
    def __init__(self, profile: str, home: Path) -> None:
        self.profile, self.home = profile, home
        self.port = broker_port()
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
