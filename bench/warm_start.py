"""`avtal up` to AVTAL READY: a cold start creates the data folder, a second (warm) start is timed."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from avtal_stack.config import BASE_PORTS, StackSettings

READY_LINE = "AVTAL READY"
OFFSETS = range(4000, 6000, 250)


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def pick_offset() -> int:
    """The first offset whose gateway, service, PostgreSQL, Kafka and SMTP ports are all free."""
    defaults = StackSettings()
    for offset in OFFSETS:
        ports = [*BASE_PORTS.values(), defaults.pg_port, defaults.kafka_port, defaults.smtp_port]
        if all(_port_free(p + offset) for p in ports):
            return offset
    raise SystemExit(f"no free port offset among {list(OFFSETS)}")


def _stack_env(home: Path) -> dict[str, str]:
    """The caller's environment without AVTAL_* (the stack must use its own embedded servers)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVTAL_")}
    return env | {"AVTAL_STACK_HOME": str(home), "PYTHONUNBUFFERED": "1"}


def _stop(proc: subprocess.Popen[str], timeout_s: float = 60.0) -> None:
    """SIGTERM `avtal up` (it stops its children); if it hangs, kill it and every descendant."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout_s)
        return
    except subprocess.TimeoutExpired:
        print(f"  avtal up did not stop in {timeout_s:.0f}s; killing it and its children", file=sys.stderr)
    for child in psutil.Process(proc.pid).children(recursive=True):
        child.kill()
    proc.kill()
    proc.wait()


def start_until_ready(avtal: Path, home: Path, offset: int, timeout_s: float = 150.0) -> float:
    """Run `avtal up`, return seconds from process start to the READY line, then stop it cleanly."""
    log = home.parent / f"{home.name}-up.log"
    ready = threading.Event()
    with open(log, "a") as err:
        started = time.monotonic()
        proc = subprocess.Popen(
            [str(avtal), "up", "--no-demo", "--port-offset", str(offset)],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=_stack_env(home),
        )
        ready_at: list[float] = []

        def watch() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                err.write(line)
                if line.strip() == READY_LINE and not ready_at:
                    ready_at.append(time.monotonic())
                    ready.set()

        reader = threading.Thread(target=watch, daemon=True)
        reader.start()
        try:
            deadline = started + timeout_s
            while not ready.wait(0.1):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"avtal up not ready (exit code {proc.poll()}); see {log}")
        finally:
            _stop(proc)
            reader.join(timeout=5)
    return ready_at[0] - started


def measure_starts(root: Path) -> tuple[float, float, int]:
    """(cold start s, warm start s, port offset) with a fresh stack home under .avtal/."""
    home = root / ".avtal" / "bench-stack"
    shutil.rmtree(home, ignore_errors=True)
    home.parent.mkdir(parents=True, exist_ok=True)
    (home.parent / f"{home.name}-up.log").unlink(missing_ok=True)
    avtal = Path(sys.executable).parent / "avtal"
    offset = pick_offset()
    cold = start_until_ready(avtal, home, offset)
    warm = start_until_ready(avtal, home, offset)
    return cold, warm, offset
