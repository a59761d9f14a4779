"""Notifier settings (AVTAL_NOTIFIER_*)."""

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

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
    # Staff who hear about billing runs and bulk jobs that finished with failures (comma-separated).
    staff_emails: Annotated[list[str], NoDecode] = []
    # Days between renewal reminders after the first notice of a term, until an answer or the end.
    renewal_reminder_days: int = Field(default=14, ge=1, le=365)
    # How often the reminder loop looks for due reminders (it runs for today's date).
    reminder_every_s: float = Field(default=3600.0, gt=0)

    @field_validator("staff_emails", mode="before")
    @classmethod
    def _split(cls, v: object) -> object:
        if isinstance(v, str):
            return [a.strip() for a in v.split(",") if a.strip()]
        return v
