"""Notifier settings (AVTAL_NOTIFIER_*)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from avtal_common.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AVTAL_NOTIFIER_", extra="ignore")

    http_port: int = 8104
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_s: float = 20.0
    from_address: str = "Avtal <billing@avtal.local>"
    billing_url: str = "http://127.0.0.1:8103"
    max_attempts: int = Field(default=8, ge=1)
