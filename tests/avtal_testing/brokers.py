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


class OwnCluster:
    """A 3-node Apache Kafka cluster of the test's own (kafka.py), whose nodes it may kill and restart."""

    def __init__(self, home: Path, nodes: int = 3) -> None:
        self.home, self.nodes = home, nodes
        self.port = cluster_port(nodes)

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{self.port + i}" for i in range(self.nodes))

    def start(self) -> None:
        self._kafka("start", "--nodes", str(self.nodes), "--port-base", str(self.port), "--timeout", "240")

    def kill(self, node: int) -> None:
        self._kafka("kill-node", "--node", str(node))  # SIGKILL

    def restart(self, node: int) -> None:
        self._kafka("start-node", "--node", str(node), "--timeout", "240")

    def close(self) -> None:
        self._kafka("stop")

    def _kafka(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, str(KAFKA_PY), args[0], "--base-dir", str(self.home), *args[1:]],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=300,
        )


def cluster_port(nodes: int) -> int:
    """Like `broker_port`, for `nodes` consecutive brokers and their controllers (+100)."""
    for _ in range(50):
        port = broker_port()
        try:
            for p in [port + i for i in range(nodes)] + [port + 100 + i for i in range(nodes)]:
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
        except OSError:
            continue
        top = port + 100 + nodes
        if top < 32000 and (top < 29092 or port > 29400):  # clear of the test-kafka cluster's ports
            return port
    raise RuntimeError(f"no {nodes} free consecutive broker ports below 32000")
