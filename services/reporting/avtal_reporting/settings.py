"""Reporting settings (AVTAL_REPORTING_*)."""

from pydantic_settings import SettingsConfigDict

from avtal_common.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AVTAL_REPORTING_", extra="ignore")

    http_port: int = 8105
