"""`avtal up`: start PostgreSQL, the broker, an SMTP sink and the six services; stop them all on exit."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from avtal_stack.broker import LocalTansu, wait_for_port
from avtal_stack.config import SERVICES, Ports, StackSettings, load_secrets, write_private
from avtal_stack.migrate import migrate_all
from avtal_stack.postgres import LocalPostgres


class Stack:
    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.home = settings.home.resolve()
        self.ports = Ports(settings.port_offset, settings)
        self.secrets = load_secrets(self.home)
        # A configured token (processes joining other hosts' services) wins over this home's own.
        self.secrets["service_token"] = os.environ.get("AVTAL_SERVICE_TOKEN") or self.secrets["service_token"]
        self.pg: LocalPostgres | None = None
        self.tansu: LocalTansu | None = None
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.env: dict[str, str] = {}

    def start_infrastructure(self) -> None:
        env = dict(os.environ)
        own_databases = all(f"AVTAL_{s.upper()}_DATABASE_URL" in env for s in SERVICES)
        if "AVTAL_POSTGRES_URL" not in env and not own_databases:
            self.pg = LocalPostgres(self.home, self.ports.pg)
            self.pg.start()
            env["AVTAL_POSTGRES_URL"] = self.pg.url
            say(f"PostgreSQL 18      127.0.0.1:{self.ports.pg}  (data in {self.pg.data})")
            if self.pg.place.outside is not None and self.pg.user is not None:
                say(f"                   (outside the project, which {self.pg.user.pw_name!r} cannot enter)")
        else:
            source = "AVTAL_<SERVICE>_DATABASE_URL" if own_databases else "AVTAL_POSTGRES_URL"
            say(f"PostgreSQL         {source}")
        if "AVTAL_KAFKA_BOOTSTRAP_SERVERS" not in env:
            self.tansu = LocalTansu(self.home, self.ports.kafka)
            self.tansu.start()
            env["AVTAL_KAFKA_BOOTSTRAP_SERVERS"] = self.tansu.bootstrap
            env["AVTAL_KAFKA_PROFILE"] = "local"
            # It starts empty: the services send the last day's events again (their inboxes skip the ones
            # they had), so an event published but not yet consumed at the last stop is not lost.
            env.setdefault("AVTAL_OUTBOX_REPUBLISH_S", "86400")
            say(f"Kafka (Tansu)      {self.tansu.bootstrap}  (in memory)")
        else:
            say(f"Kafka              {env['AVTAL_KAFKA_BOOTSTRAP_SERVERS']}")
        if "AVTAL_NOTIFIER_SMTP_HOST" not in env:
            self._spawn(
                "smtp-sink",
                [
                    sys.executable,
                    "-m",
                    "avtal_stack.smtp_sink",
                    "--port",
                    str(self.ports.smtp),
                    "--maildir",
                    str(self.maildir),
                ],
                env,
            )
            wait_for_port(self.ports.smtp, 20, self.children["smtp-sink"])
            env["AVTAL_NOTIFIER_SMTP_HOST"] = "127.0.0.1"
            env["AVTAL_NOTIFIER_SMTP_PORT"] = str(self.ports.smtp)
            say(f"SMTP sink          127.0.0.1:{self.ports.smtp}  (mail in {self.maildir})")
        self.env = env | self._service_env()

    @property
    def maildir(self) -> Path:
        return self.home / "mail"

    @property
    def portal_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.service('gateway')}"

    @property
    def local_servers(self) -> bool:
        """Whether this stack runs its own PostgreSQL and broker (so its data is a throwaway)."""
        return self.pg is not None and self.tansu is not None

    def _service_env(self) -> dict[str, str]:
        env = {f"AVTAL_{s.upper()}_HTTP_PORT": str(self.ports.service(s)) for s in SERVICES}
        for s in SERVICES[:-1]:
            env.setdefault(f"AVTAL_GATEWAY_{s.upper()}_URL", f"http://127.0.0.1:{self.ports.service(s)}")
        env["AVTAL_NOTIFIER_BILLING_URL"] = f"http://127.0.0.1:{self.ports.service('billing')}"
        env.setdefault("AVTAL_NOTIFIER_STAFF_EMAILS", "finance@avtal.local")  # staff notices land in the sink
        env["AVTAL_CATALOG_CONTRACTS_URL"] = f"http://127.0.0.1:{self.ports.service('contracts')}"
        env["AVTAL_SERVICE_TOKEN"] = self.secrets["service_token"]  # every process, the same
        env.setdefault("AVTAL_GATEWAY_STAFF_EMAIL", self.secrets["staff_email"])
        env.setdefault("AVTAL_GATEWAY_STAFF_PASSWORD", self.secrets["staff_password"])
        env.setdefault("AVTAL_GATEWAY_SESSION_SECRET", self.secrets["session_secret"])
        # The local portal is plain HTTP on loopback; behind TLS keep secure cookies on (the default).
        env.setdefault("AVTAL_GATEWAY_COOKIE_SECURE", "false")
        return env

    def start_services(self) -> None:
        applied = asyncio.run(migrate_all(self.env.get("AVTAL_POSTGRES_URL", "")))
        say(f"Migrations         {sum(map(len, applied.values()))} applied, all databases current")
        for name in SERVICES:
            self._spawn(name, [sys.executable, "-m", f"avtal_{name}"], self.env)
        say(f"Services           {', '.join(SERVICES)} starting …")

    def _spawn(self, name: str, cmd: list[str], env: dict[str, str]) -> None:
        log = self.home / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        out = open(log, "ab")  # noqa: SIM115 - the child keeps it open
        self.children[name] = subprocess.Popen(cmd, stdout=out, stderr=out, env=env, start_new_session=True)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.settings.ready_timeout_s
        pending = set(SERVICES)
        with httpx.Client(timeout=2) as client:
            while pending and time.monotonic() < deadline:
                for name in sorted(pending):
                    self._check_alive(name)
                    try:
                        r = client.get(f"http://127.0.0.1:{self.ports.service(name)}/health/ready")
                        if r.status_code == 200:
                            pending.discard(name)
                    except httpx.HTTPError:
                        pass
                time.sleep(0.2)
        if pending:
            raise SystemExit(
                f"not ready after {self.settings.ready_timeout_s:.0f}s: {sorted(pending)}; "
                f"see {self.home / 'logs'}"
            )

    def _check_alive(self, name: str) -> None:
        proc = self.children[name]
        if proc.poll() is not None:
            raise SystemExit(
                f"avtal-{name} exited with {proc.returncode}; see {self.home / 'logs' / (name + '.log')}"
            )

    def write_state(self) -> None:
        state = {
            "portal_url": self.portal_url,
            "services": {s: f"http://127.0.0.1:{self.ports.service(s)}" for s in SERVICES},
            "postgres_url": self.env.get("AVTAL_POSTGRES_URL", ""),
            "postgres_data": str(self.pg.data) if self.pg else "",
            "kafka_bootstrap_servers": self.env["AVTAL_KAFKA_BOOTSTRAP_SERVERS"],
            "kafka_profile": self.env.get("AVTAL_KAFKA_PROFILE", "local"),
            "maildir": str(self.maildir),
            "pids": {n: p.pid for n, p in self.children.items()} | self._server_pids(),
            **{k: v for k, v in self.secrets.items() if k != "session_secret"},
        }
        write_private(self.home / "stack.json", json.dumps(state, indent=2))

    def _server_pids(self) -> dict[str, int]:
        servers = {"postgres": self.pg, "tansu": self.tansu}
        return {n: s.proc.pid for n, s in servers.items() if s is not None and s.proc is not None}

    def monitor(self, stop: list[bool]) -> None:
        while not stop:
            for name in SERVICES:
                if self.children[name].poll() is not None:
                    print(f"avtal-{name} exited unexpectedly; stopping the stack", file=sys.stderr)
                    return
            time.sleep(0.5)

    def stop(self) -> None:
        for _name, proc in reversed(list(self.children.items())):
            if proc.poll() is None:
                proc.terminate()
        for proc in self.children.values():
            try:
                proc.wait(timeout=25)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            _kill_group(proc.pid)
        if self.tansu:
            self.tansu.stop()
        if self.pg:
            self.pg.stop()


def _kill_group(pgid: int) -> None:
    """Each child leads its own process group: whatever it left behind (a render pool's workers, their
    resource tracker) goes with it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def up(settings: StackSettings) -> int:
    stack = Stack(settings)
    stop: list[bool] = []

    def on_signal(signum: int, frame: object) -> None:
        stop.append(True)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    print(f"Starting Avtal from {stack.home}", flush=True)
    try:
        stack.start_infrastructure()
        stack.start_services()
        stack.wait_ready()
        ready_s = time.monotonic() - started
        stack.write_state()
        say(f"All ready          in {ready_s:.1f}s")
        seed(stack, settings.seed_demo)
        print_banner(stack)
        stack.monitor(stop)
        return 0 if stop else 1
    except KeyboardInterrupt:
        return 0
    finally:
        # A second Ctrl-C while stopping would leave PostgreSQL running without its owner: it waits.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        print("Avtal stopped.", flush=True)


def seed(stack: Stack, wanted: bool | None) -> None:
    from avtal_stack.demo import seed_demo

    if wanted is False or (wanted is None and not stack.local_servers):
        why = "--no-demo" if wanted is False else "servers are configured; `--demo` seeds them"
        say(f"Demo data          not seeded ({why})")
        return
    say("Demo data          seeding …")
    started = time.monotonic()
    seed_demo(stack)
    took = time.monotonic() - started
    say(f"Demo data          in place, checked in {took:.1f}s (catalog, customers, contracts, invoices)")


def say(line: str) -> None:
    print(f"  {line}", flush=True)


def print_banner(stack: Stack) -> None:
    s = stack.secrets
    print(
        f"""
Avtal is running.
  Portal:          {stack.portal_url}
  Staff login:     {s["staff_email"]} / {s["staff_password"]}
  Customer login:  {s["customer_email"]} / {s["customer_password"]}
  API docs:        {stack.portal_url}/schema
  Mail sink:       {stack.maildir}
  Database files:  {stack.pg.data if stack.pg else "(configured server)"}
  Logs:            {stack.home / "logs"}
Press Ctrl-C to stop.
AVTAL READY""",
        flush=True,
    )
