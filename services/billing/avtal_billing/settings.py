"""Billing settings (AVTAL_BILLING_*)."""

from datetime import time

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from avtal_common.settings import ServiceSettings


class BillingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AVTAL_BILLING_", extra="ignore")

    http_port: int = 8103
    # The daily automatic billing run starts at this UTC time (catching up at start if missed);
    # empty turns it off. Staff can always start a run ("bill now") through the API.
    auto_run_at: time | None = time(2, 0)
    payment_terms_days: int = Field(default=30, ge=0)
    pdf_workers: int = Field(default=1, ge=1)
    pdf_batch_size: int = Field(default=16, ge=1)
    seller_name: str = "Avtal Demo AB"
    seller_address: str = "Storgatan 1, 111 22 Stockholm"
    seller_vat_no: str = "SE556000000001"

    @field_validator("auto_run_at", mode="before")
    @classmethod
    def _off(cls, value: object) -> object:
        return None if str(value).strip().lower() in ("", "off", "none") else value
