"""A newcomer's first hour: a fresh clone in a private folder starts, is stopped halfway through seeding,
starts again and again, and the login the banner prints always shows the demo contract."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from avtal_stack.pgplace import OUTSIDE_ROOTS
from avtal_testing.api import eventually, ok, signed_in
from avtal_testing.stack import PORT_OFFSET, ROOT

OFFSET = PORT_OFFSET + 100
T0 = time.monotonic()
SEEDING = "Demo data          seeding"
SEEDED = "Demo data          in place"


class Up:
    """`avtal up` in the clone, its printed lines collected as they come."""

    def __init__(self, clone: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AVTAL_")}
        self.clone = clone
        self.lines: list[str] = []
        self.signalled = False
        self.proc = subprocess.Popen(
            [str(clone / ".venv" / "bin" / "avtal"), "up", "--port-offset", str(OFFSET)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env | {"PYTHONUNBUFFERED": "1"},
            cwd=clone,
        )
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            print(f"{time.monotonic() - T0:6.1f} {line.rstrip()}")

    def wait_for(self, text: str, timeout_s: float = 90.0) -> None:
        def seen() -> bool:
            assert self.proc.poll() is None, "avtal up exited:\n" + "\n".join(self.lines)
            return any(text in line for line in self.lines)

        eventually(seen, timeout_s, what=f"{text!r} from avtal up")

    def printed(self, label: str) -> str:
        return next(ln.split(":", 1)[1].strip() for ln in self.lines if ln.strip().startswith(label + ":"))

    def interrupt(self) -> None:
        # SIGTERM: a pytest run from a background job ignores SIGINT in its children (KNOWN-TRAPS).
        if self.proc.poll() is None and not self.signalled:
            self.signalled = True
            self.proc.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        self.interrupt()
        try:
            assert self.proc.wait(timeout=60) == 0, "\n".join(self.lines)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        assert _running_from(self.clone) == [], "still running after avtal up stopped"


def _running_from(folder: Path) -> list[str]:
    """Command lines of live processes that name `folder` (the clone's venv, its data)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if str(folder) in cmd and state != "Z":
            found.append(cmd)
    return found


def _make_clone(private: Path) -> Path:
    """What a newcomer does: clone, then install the locked dependencies (from uv's cache here)."""
    clone = private / "avtal"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    python = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | {"UV_PYTHON_DOWNLOADS": "never"}
    started = time.monotonic()
    subprocess.run(
        [str(ROOT / "scripts" / "uv.sh"), "sync", "--frozen", "--quiet", "--python", str(python)],
        check=True,
        cwd=clone,
        env=env,
    )
    print(f"clone made runnable in {time.monotonic() - started:.1f}s")
    return clone


def _items(body: Any) -> list[dict[str, Any]]:
    """A list body, or a page of one (`{"items": [...], "total": ...}`)."""
    return list(body["items"]) if isinstance(body, dict) else list(body)


def _printed_login_shows_the_demo_contract(up: Up) -> None:
    email, password = (part.strip() for part in up.printed("Customer login").split(" / "))
    with signed_in(up.printed("Portal"), email, password) as me:
        contracts = _items(ok(me.get("/api/v1/contracts")))
        # Its running contract and the one ending in 20 days (the renewal demo)
        assert {c["customer_name"] for c in contracts} == {"Nordic Freight AB"}
        invoices = _items(ok(me.get("/api/v1/invoices")))
        assert len({i["issue_date"] for i in invoices}) >= 2, "a billing history, not one run"


@pytest.mark.timeout(360)  # about 90 s on a quiet machine
def test_a_fresh_private_clone_starts_twice_and_completes_a_seeding_stopped_halfway() -> None:
    private = Path(tempfile.mkdtemp(prefix="avtal-newcomer-"))
    assert private.stat().st_mode & 0o777 == 0o700
    clone = _make_clone(private)
    try:
        first = Up(clone)
        try:
            first.wait_for(SEEDING)
            _assert_data_outside_the_clone_when_root(clone)
            _stop_once_customers_exist(first, clone)
        finally:
            first.stop()
        assert not any(SEEDED in line for line in first.lines), "the seeding was not interrupted"
        for _ in range(2):
            up = Up(clone)
            try:
                up.wait_for("AVTAL READY", timeout_s=120)
                _printed_login_shows_the_demo_contract(up)
            finally:
                up.stop()
        assert (clone / ".avtal" / "stack.json").stat().st_mode & 0o777 == 0o600
        assert (clone / ".avtal" / "secrets.json").stat().st_mode & 0o777 == 0o600
    finally:
        link = clone / ".avtal" / "pgdata"
        outside = link.resolve().parent
        if link.is_symlink() and outside.parent in OUTSIDE_ROOTS:  # PostgreSQL's folder for this clone
            shutil.rmtree(outside, ignore_errors=True)
            with contextlib.suppress(OSError):  # and the root folder, unless another project uses it
                outside.parent.rmdir()
        shutil.rmtree(private, ignore_errors=True)


def _assert_data_outside_the_clone_when_root(clone: Path) -> None:
    """As root, PostgreSQL's user cannot enter the private clone: its files must be elsewhere."""
    data = Path(json.loads((clone / ".avtal" / "stack.json").read_text())["postgres_data"])
    assert data.is_relative_to(clone) == (os.geteuid() != 0), data


def _stop_once_customers_exist(up: Up, clone: Path) -> None:
    state = json.loads((clone / ".avtal" / "stack.json").read_text())
    with signed_in(state["portal_url"], state["staff_email"], state["staff_password"]) as staff:

        def halfway() -> bool:
            names = {c["name"] for c in _items(ok(staff.get("/api/v1/customers")))}
            return "Nordic Freight AB" in names

        while not halfway():
            assert up.proc.poll() is None and not any(SEEDED in ln for ln in up.lines), "\n".join(up.lines)
            time.sleep(0.05)
    up.interrupt()
