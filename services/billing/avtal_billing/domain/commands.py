"""Commands of the billing service: what a caller asks for, typed and checked before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from avtal_billing.domain.runs import check_run


@dataclass(frozen=True)
class RunBilling:
    """Bill every period due by `as_of`; `run_key` names the run (reusing it never bills a period twice)."""

    as_of: date
    run_key: str
    payment_terms_days: int
    today: date  # the caller's date, for the bounds of `as_of`
    invoice_per: str = "customer"  # one invoice per customer (and currency) per run, or per contract
    chunk: int = 500  # keys (customers or contracts) billed per transaction
    workers: int = 2  # chunks in flight at once in this process (each on its own connection)

    def check(self) -> None:
        check_run(self.as_of, self.run_key, self.payment_terms_days, self.today, self.invoice_per)


@dataclass(frozen=True)
class IssuePdfs:
    """Render and publish the PDFs of up to `limit` invoices that have none yet."""

    limit: int
    lease_s: float = 300.0  # another issuer may take an invoice over after this
    render_timeout_s: float = 120.0
