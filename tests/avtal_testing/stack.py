"""The stack under test: `avtal up` in a subprocess, on its own ports and data folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PORT_OFFSET = int(os.environ.get("AVTAL_TEST_PORT_OFFSET", "1000"))


@dataclass
class StackInfo:
    home: Path
    portal_url: str
    services: dict[str, str]
    postgres_url: str
    kafka_bootstrap_servers: str
    kafka_profile: str
    maildir: Path
    staff_email: str
    staff_password: str
    customer_email: str
    customer_password: str
    # Internal service APIs answer only with `Authorization: Bearer <service_token>` (see `internal`).
    service_token: str
    process: subprocess.Popen[str]

    @property
    def internal_headers(self) -> dict[str, str]:
        """Headers a caller of a service's internal API sends (the gateway sends the same)."""
        return {"Authorization": f"Bearer {self.service_token}"}

    def internal(self, service: str) -> httpx.Client:
        """A client of one service's internal API, with the service token."""
        return httpx.Client(base_url=self.services[service], headers=self.internal_headers, timeout=30)

    def database_url(self, service: str) -> str:
        base, _, _ = self.postgres_url.rpartition("/")
        return f"{base}/avtal_{service}"

    @property
    def env(self) -> dict[str, str]:
        """Environment for extra processes that should join this stack's servers."""
        return os.environ | {
            "AVTAL_POSTGRES_URL": self.postgres_url,
            "AVTAL_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap_servers,
            "AVTAL_KAFKA_PROFILE": self.kafka_profile,
            "AVTAL_LOG_JSON": "true",
            "AVTAL_SERVICE_TOKEN": self.service_token,
        }


def start_stack(timeout_s: float = 240.0) -> StackInfo:
    home = ROOT / ".avtal" / "test" / uuid.uuid4().hex[:8]
    home.mkdir(parents=True)
    env = os.environ | {"AVTAL_STACK_HOME": str(home)}
    out = open(home / "avtal-up.log", "w")  # noqa: SIM115 - kept for the process lifetime
    proc = subprocess.Popen(
        # --demo: the suite reads the demo data, also when it runs against configured servers (test-kafka).
        [sys.executable, "-m", "avtal_stack.cli", "up", "--demo", "--port-offset", str(PORT_OFFSET)],
        stdout=subprocess.PIPE,
        stderr=out,
        env=env,
        text=True,
        cwd=ROOT,
    )
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            out.write(line)
            out.flush()
            if line.strip() == "AVTAL READY":
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout_s
    while not ready.wait(0.5):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_stack(proc)
            raise RuntimeError(f"the stack did not start; see {home}/avtal-up.log and {home}/logs/")
    state = json.loads((home / "stack.json").read_text())
    return StackInfo(
        home=home,
        portal_url=state["portal_url"],
        services=state["services"],
        postgres_url=state["postgres_url"],
        kafka_bootstrap_servers=state["kafka_bootstrap_servers"],
        kafka_profile=state["kafka_profile"],
        maildir=Path(state["maildir"]),
        staff_email=state["staff_email"],
        staff_password=state["staff_password"],
        customer_email=state["customer_email"],
        customer_password=state["customer_password"],
        service_token=state["service_token"],
        process=proc,
    )


def stop_stack(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
