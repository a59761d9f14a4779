"""Reporting settings (AVTAL_REPORTING_*)."""

from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from avtal_common.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AVTAL_REPORTING_", extra="ignore")

    http_port: int = 8105
    # The cash-flow forecast's assumptions (METRICS.md M15; docs/reporting-figures.md).
    doubtful_weight: Decimal = Field(default=Decimal("0.5"), ge=0, le=1)
    default_renewal_rate: Decimal = Field(default=Decimal("0.5"), ge=0, le=1)
    default_currency: str = Field(default="SEK", pattern=r"^[A-Z]{3}$")
