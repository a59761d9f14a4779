"""`avtal up` (what `make run` calls): Ctrl-C leaves nothing running; the next start reuses the data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from avtal_testing.api import unique
from avtal_testing.stack import PORT_OFFSET, ROOT, StackInfo

OFFSET = 2000


def _up(home: Path, offset: int = OFFSET, servers: dict[str, str] | None = None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVTAL_")} | (servers or {})
    proc = subprocess.Popen(
        [sys.executable, "-m", "avtal_stack.cli", "up", "--no-demo", "--port-offset", str(offset)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env | {"AVTAL_STACK_HOME": str(home)},
        cwd=ROOT,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "AVTAL READY":
            return proc
    raise AssertionError(f"avtal up exited with {proc.wait()} before it was ready")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is not running
        return f.read().split()[2] != "Z"


def _interrupt(proc: subprocess.Popen[str], home: Path) -> dict[str, int]:
    pids = json.loads((home / "stack.json").read_text())["pids"]
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=90) == 0
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids.values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return {name: pid for name, pid in pids.items() if _alive(pid)}


@pytest.mark.timeout(300)
def test_ctrl_c_stops_everything_and_a_warm_start_keeps_the_data() -> None:
    home = ROOT / ".avtal" / "test" / f"lifecycle-{uuid.uuid4().hex[:6]}"
    first = _up(home)
    catalog = f"http://127.0.0.1:{8101 + OFFSET}"
    sku = unique("LIFE")
    try:
        created = httpx.post(
            f"{catalog}/products/",
            json={"sku": sku, "name": "Kept across restarts", "annual_price": "10.00", "currency": "SEK"},
        )
        assert created.status_code == 201, created.text
    finally:
        left = _interrupt(first, home)
    assert left == {}, f"still running after Ctrl-C: {left}"
    assert {"postgres", "tansu", "smtp-sink", "catalog", "gateway"} <= set(
        json.loads((home / "stack.json").read_text())["pids"]
    )

    second = _up(home)
    try:
        products = httpx.get(f"{catalog}/products/", params={"limit": 1000}).json()
        assert sku in {p["sku"] for p in products["items"]}
    finally:
        assert _interrupt(second, home) == {}


@pytest.mark.timeout(300)
def test_with_servers_configured_avtal_up_starts_none_and_runs_as_replicas(stack: StackInfo) -> None:
    """Pointed at existing PostgreSQL, Kafka and SMTP, `avtal up` only adds service processes: here
    a second replica of every service, sharing the first stack's databases and consumer groups."""
    home = ROOT / ".avtal" / "test" / f"replica-{uuid.uuid4().hex[:6]}"
    servers = {
        "AVTAL_POSTGRES_URL": stack.postgres_url,
        "AVTAL_KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap_servers,
        "AVTAL_KAFKA_PROFILE": stack.kafka_profile,
        "AVTAL_NOTIFIER_SMTP_HOST": "127.0.0.1",
        "AVTAL_NOTIFIER_SMTP_PORT": str(2525 + PORT_OFFSET),
    }
    replica = _up(home, offset=OFFSET + 500, servers=servers)
    try:
        started = set(json.loads((home / "stack.json").read_text())["pids"])
        assert not started & {"postgres", "tansu", "smtp-sink"}
        sku = unique("REPLICA")
        made = httpx.post(
            f"http://127.0.0.1:{8101 + OFFSET + 500}/products/",
            json={"sku": sku, "name": "Made on the replica", "annual_price": "1.00", "currency": "SEK"},
        )
        assert made.status_code == 201, made.text
        seen = httpx.get(f"{stack.services['catalog']}/products/{made.json()['product_id']}")
        assert seen.json()["sku"] == sku
    finally:
        assert _interrupt(replica, home) == {}
    assert httpx.get(f"{stack.portal_url}/health/ready").status_code == 200
