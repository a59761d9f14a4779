"""Catalog settings (AVTAL_CATALOG_*)."""

from pydantic_settings import SettingsConfigDict

from avtal_common.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AVTAL_CATALOG_", extra="ignore")

    http_port: int = 8101
    # The price update tool asks contracts which active lines use the products it changes.
    contracts_url: str = "http://127.0.0.1:8102"
    # Largest CSV an import accepts (a million price rows is about 60 MiB).
    import_max_bytes: int = 128 * 1024 * 1024
