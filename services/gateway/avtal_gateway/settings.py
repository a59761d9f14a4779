"""Gateway settings (AVTAL_GATEWAY_*)."""

from datetime import timedelta
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from avtal_common.settings import ServiceSettings
from avtal_gateway.domain.logins import LoginLimits
from avtal_gateway.domain.sessions import SessionLimits

# A comma-separated environment value ("10.0.0.0/8, 192.168.1.7"), not JSON.
CommaList = Annotated[list[str], NoDecode]


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AVTAL_GATEWAY_", extra="ignore")

    http_port: int = 8000
    catalog_url: str = "http://127.0.0.1:8101"
    contracts_url: str = "http://127.0.0.1:8102"
    billing_url: str = "http://127.0.0.1:8103"
    notifier_url: str = "http://127.0.0.1:8104"
    reporting_url: str = "http://127.0.0.1:8105"
    # The first staff user: created at start if missing; an existing one gets this password if it differs.
    staff_email: str = "staff@avtal.local"
    staff_password: str | None = None
    # 32 hex characters (16 bytes) encrypting the session cookie; required.
    session_secret: str = Field(pattern=r"^([0-9a-fA-F]{32}|[0-9a-fA-F]{48}|[0-9a-fA-F]{64})$")
    # Secure cookies need HTTPS; the local stack serves plain HTTP on loopback and turns this off.
    cookie_secure: bool = True
    # A session ends this long after sign-in, however busy (absolute lifetime) ...
    session_max_age_s: int = Field(default=8 * 3600, ge=60)
    # ... or after this long without a request (idle timeout).
    session_idle_timeout_s: int = Field(default=30 * 60, ge=60)
    # Failed sign-ins allowed per account and per client address within the window; more answer 429.
    login_attempts_per_account: int = Field(default=10, ge=1)
    login_attempts_per_address: int = Field(default=50, ge=1)
    login_window_s: int = Field(default=15 * 60, ge=1)
    # Proxies (addresses or networks) whose X-Forwarded-For names the client; nobody's by default.
    trusted_proxies: CommaList = []
    # Origins allowed on unsafe requests ("https://portal.example"); empty = the request's own Host.
    allowed_origins: CommaList = []

    @field_validator("trusted_proxies", "allowed_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def login_limits(self) -> LoginLimits:
        return LoginLimits(
            self.login_attempts_per_account,
            self.login_attempts_per_address,
            timedelta(seconds=self.login_window_s),
        )

    def session_limits(self) -> SessionLimits:
        return SessionLimits(
            idle=timedelta(seconds=self.session_idle_timeout_s),
            absolute=timedelta(seconds=self.session_max_age_s),
        )
