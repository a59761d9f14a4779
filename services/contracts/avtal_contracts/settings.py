"""Contracts settings (AVTAL_CONTRACTS_*)."""

from datetime import time

from pydantic_settings import SettingsConfigDict

from avtal_common.settings import ServiceSettings


class ContractsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AVTAL_CONTRACTS_", extra="ignore")

    http_port: int = 8102
    # An open contract is 'expiring' this many days before its term end (or its notice deadline).
    expiring_days: int = 90
    # `contract.expiring` is sent this many days before the term end and before the notice deadline.
    reminder_lead_days: tuple[int, ...] = (90, 60, 30, 7)
    # The largest CSV an import takes (customers, covered items, contracts).
    import_max_bytes: int = 64 * 1024 * 1024
    # Bulk jobs: contracts per batch (one transaction each), batches in flight per process (one computes
    # while another writes), and the idle wait between looks for work.
    bulk_batch_size: int = 1000
    bulk_workers: int = 2
    bulk_poll_s: float = 1.0
    # The daily calendar run (status moves, reminders, renewals) starts at this UTC time, and once at
    # every start of the service; None turns the daily job off (runs then come from /calendar/run).
    calendar_run_at: time | None = time(1, 0)
    # False: no daily job in this process (an external scheduler calls /calendar/run, or another replica
    # runs it).
    calendar_daily: bool = True
