"""Billing settings (AVTAL_BILLING_*)."""

from datetime import time
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from avtal_billing.domain.invoices import Seller
from avtal_common.settings import ServiceSettings


class BillingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AVTAL_BILLING_", extra="ignore")

    http_port: int = 8103
    # The daily automatic billing run starts at this UTC time (catching up at start if missed);
    # empty turns it off. Staff can always start a run ("bill now") through the API.
    auto_run_at: time | None = time(2, 0)
    payment_terms_days: int = Field(default=30, ge=0)
    # A billing run makes one invoice per customer (and currency) gathering its contracts' due periods,
    # or one per contract.
    invoice_per: Literal["customer", "contract"] = "customer"
    # How often each replica looks for unfinished runs to help with (or to finish after a crash).
    run_helper_every_s: float = Field(default=2.0, gt=0)
    # Customers (or contracts) billed per transaction: a crash loses at most one chunk's work.
    run_chunk: int = Field(default=500, ge=1, le=5000)
    # Chunks a run bills at once in one process (each on its own connection; replicas add theirs).
    run_workers: int = Field(default=2, ge=1, le=8)
    # Dunning: days after the due date of the reminder, the second reminder and the final notice.
    dunning_ladder: tuple[int, int, int] = (7, 21, 35)
    dunning_every_s: float = Field(default=3600.0, gt=0)
    # In-advance periods are invoiced this many days before they start; empty: each customer's
    # payment terms, so the invoice falls due the day its period begins.
    advance_lead_days: int | None = Field(default=None, ge=0, le=365)
    pdf_workers: int = Field(default=1, ge=1)
    pdf_batch_size: int = Field(default=16, ge=1)
    seller_name: str = "Avtal Demo AB"
    seller_address: str = "Storgatan 1, 111 22 Stockholm"
    seller_vat_no: str = "SE556000000001"
    seller_org_no: str = "556000-0000"
    seller_bankgiro: str = "5050-1055"
    seller_iban: str = "SE45 5000 0000 0583 9825 7466"
    seller_bic: str = "ESSESESS"
    seller_email: str = "billing@avtal-demo.example"

    def seller(self) -> Seller:
        return Seller(
            self.seller_name,
            self.seller_address,
            self.seller_vat_no,
            self.seller_org_no,
            self.seller_bankgiro,
            self.seller_iban,
            self.seller_bic,
            self.seller_email,
        )

    @field_validator("auto_run_at", "advance_lead_days", mode="before")
    @classmethod
    def _off(cls, value: object) -> object:
        return None if str(value).strip().lower() in ("", "off", "none") else value
