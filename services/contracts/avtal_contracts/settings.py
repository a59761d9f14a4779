"""Contracts settings (AVTAL_CONTRACTS_*)."""

from pydantic_settings import SettingsConfigDict

from avtal_common.settings import ServiceSettings


class ContractsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AVTAL_CONTRACTS_", extra="ignore")

    http_port: int = 8102
