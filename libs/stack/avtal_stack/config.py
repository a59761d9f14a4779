"""Where the local stack lives and which ports it uses (AVTAL_STACK_*)."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ["catalog", "contracts", "billing", "notifier", "reporting", "gateway"]
BASE_PORTS = {
    "catalog": 8101,
    "contracts": 8102,
    "billing": 8103,
    "notifier": 8104,
    "reporting": 8105,
    "gateway": 8000,
}


class StackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AVTAL_STACK_", extra="ignore")

    home: Path = Path(".avtal")
    port_offset: int = 0
    pg_port: int = 54329
    kafka_port: int = 9092
    smtp_port: int = 2525
    # None: seed only when `avtal up` runs its own PostgreSQL and broker (never into configured servers).
    seed_demo: bool | None = None
    ready_timeout_s: float = 120.0


@dataclass(frozen=True)
class Ports:
    offset: int
    settings: StackSettings

    def service(self, name: str) -> int:
        return int(os.environ.get(f"AVTAL_{name.upper()}_HTTP_PORT", BASE_PORTS[name] + self.offset))

    @property
    def pg(self) -> int:
        return self.settings.pg_port + self.offset

    @property
    def kafka(self) -> int:
        return self.settings.kafka_port + self.offset

    @property
    def smtp(self) -> int:
        return self.settings.smtp_port + self.offset


def load_secrets(home: Path) -> dict[str, str]:
    """Generated once per stack home: the staff password, demo customer password, session key,
    service token."""
    path = home / "secrets.json"
    if path.exists():
        return _with_service_token(path, json.loads(path.read_text()))
    values = {
        "staff_email": "staff@avtal.local",
        "staff_password": secrets.token_urlsafe(12),
        "customer_email": "it@nordicfreight.example",
        "customer_password": secrets.token_urlsafe(12),
        "session_secret": secrets.token_hex(16),
        "service_token": secrets.token_urlsafe(32),
    }
    home.mkdir(parents=True, exist_ok=True)
    write_private(path, json.dumps(values, indent=2))
    return values


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read, from the first byte on (no window before a chmod)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        os.fchmod(fd, 0o600)  # an existing file keeps its mode on open: fix it before writing
        f.write(text)


def _with_service_token(path: Path, values: dict[str, str]) -> dict[str, str]:
    # A stack home from before the service token: add one, keep every other secret as it was.
    if "service_token" not in values:
        values["service_token"] = secrets.token_urlsafe(32)
        write_private(path, json.dumps(values, indent=2))
    return values
