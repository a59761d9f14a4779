"""`avtal up` (what `make run` calls): Ctrl-C, even twice, leaves nothing running; a warm start keeps data."""

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

OFFSET = PORT_OFFSET + 200  # stacks of this module: +200 and +300 (the newcomer test: +100)


def _up(
    home: Path,
    offset: int = OFFSET,
    servers: dict[str, str] | None = None,
    flags: tuple[str, ...] = ("--no-demo",),
) -> subprocess.Popen[str]:
    """`avtal up`, returned once ready; what it printed is in home/up.out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AVTAL_")} | (servers or {})
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "avtal_stack.cli",
            "up",
            *flags,
            "--port-offset",
            str(offset),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env | {"AVTAL_STACK_HOME": str(home)},
        cwd=ROOT,
    )
    assert proc.stdout is not None
    printed = []
    for line in proc.stdout:
        printed.append(line)
        if line.strip() == "AVTAL READY":
            (home / "up.out").write_text("".join(printed))
            return proc
    raise AssertionError(f"avtal up exited with {proc.wait()} before it was ready")


def _internal_headers(home: Path) -> dict[str, str]:
    return {"Authorization": f"Bearer {json.loads((home / 'stack.json').read_text())['service_token']}"}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is not running
        return f.read().split()[2] != "Z"


def _interrupt(proc: subprocess.Popen[str], home: Path, times: int = 1) -> dict[str, int]:
    pids = json.loads((home / "stack.json").read_text())["pids"]
    for _ in range(times):  # an impatient user presses Ctrl-C again while it stops
        proc.send_signal(signal.SIGINT)
        time.sleep(0.3)
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
    auth = _internal_headers(home)
    sku = unique("LIFE")
    try:
        created = httpx.post(
            f"{catalog}/products/",
            json={"sku": sku, "name": "Kept across restarts", "annual_price": "10.00", "currency": "SEK"},
            headers=auth,
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
        assert _internal_headers(home) == auth, "the service token is generated once per stack home"
        products = httpx.get(f"{catalog}/products/", params={"limit": 1000}, headers=auth).json()
        assert sku in {p["sku"] for p in products["items"]}
    finally:
        assert _interrupt(second, home, times=2) == {}, "a second Ctrl-C must not orphan PostgreSQL"


@pytest.mark.timeout(300)
def test_with_servers_configured_avtal_up_starts_none_and_runs_as_replicas(stack: StackInfo) -> None:
    """Pointed at existing PostgreSQL, Kafka and SMTP, `avtal up` only adds service processes: here
    a second replica of every service, sharing the first stack's databases and consumer groups.
    It seeds no demo data there unless asked to (`--demo`)."""
    home = ROOT / ".avtal" / "test" / f"replica-{uuid.uuid4().hex[:6]}"
    servers = {
        "AVTAL_POSTGRES_URL": stack.postgres_url,
        "AVTAL_KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap_servers,
        "AVTAL_KAFKA_PROFILE": stack.kafka_profile,
        "AVTAL_NOTIFIER_SMTP_HOST": "127.0.0.1",
        "AVTAL_NOTIFIER_SMTP_PORT": str(2525 + PORT_OFFSET),
        "AVTAL_SERVICE_TOKEN": stack.service_token,  # replicas of the same deployment share it
    }
    replica = _up(home, OFFSET + 100, servers, flags=())
    try:
        assert "Demo data          not seeded (servers are configured" in (home / "up.out").read_text()
        started = set(json.loads((home / "stack.json").read_text())["pids"])
        assert not started & {"postgres", "tansu", "smtp-sink"}
        sku = unique("REPLICA")
        made = httpx.post(
            f"http://127.0.0.1:{8101 + OFFSET + 100}/products/",
            json={"sku": sku, "name": "Made on the replica", "annual_price": "1.00", "currency": "SEK"},
            headers=stack.internal_headers,
        )
        assert made.status_code == 201, made.text
        assert _internal_headers(home) == stack.internal_headers
        seen = httpx.get(
            f"{stack.services['catalog']}/products/{made.json()['product_id']}",
            headers=stack.internal_headers,
        )
        assert seen.json()["sku"] == sku
    finally:
        assert _interrupt(replica, home) == {}
    assert httpx.get(f"{stack.portal_url}/health/ready").status_code == 200
