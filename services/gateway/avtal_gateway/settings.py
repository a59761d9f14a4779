"""Gateway settings (AVTAL_GATEWAY_*)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from avtal_common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AVTAL_GATEWAY_", extra="ignore")

    http_port: int = 8000
    catalog_url: str = "http://127.0.0.1:8101"
    contracts_url: str = "http://127.0.0.1:8102"
    billing_url: str = "http://127.0.0.1:8103"
    notifier_url: str = "http://127.0.0.1:8104"
    reporting_url: str = "http://127.0.0.1:8105"
    # The first staff user, created at start if missing (rotate the password after first login).
    staff_email: str = "staff@avtal.local"
    staff_password: str | None = None
    # 32 hex characters (16 bytes) encrypting the session cookie; required.
    session_secret: str = Field(pattern=r"^([0-9a-fA-F]{32}|[0-9a-fA-F]{48}|[0-9a-fA-F]{64})$")
    # Secure cookies need HTTPS; the local stack serves plain HTTP on loopback and turns this off.
    cookie_secure: bool = True
    session_max_age_s: int = 8 * 3600
