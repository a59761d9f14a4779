"""Settling a contract change on periods already invoiced: a credit note per credited invoice for what is
no longer owed, an invoice for what is owed on top, both issued at once with their own numbers."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import date

from avtal_billing.domain.adjustments import Adjustment
from avtal_billing.domain.contracts import Contract
from avtal_billing.domain.invoices import DuePeriod, Invoice, bill, invoice_number, series_of
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.logging import current_correlation_id, get_logger

log = get_logger(__name__)


async def settle(
    uow: BillingUnitOfWork, contract: Contract, found: list[Adjustment], on: date
) -> list[Invoice]:
    """Issue the credit notes and the extra invoice `found` calls for, dated `on`."""
    credits: dict[uuid.UUID | None, list[Adjustment]] = defaultdict(list)
    charges: list[Adjustment] = []
    for a in found:
        (credits[a.period.invoice_id] if a.is_credit else charges).append(a)
    made = [
        await _issue(uow, contract, group, on, "credit_note", credited) for credited, group in credits.items()
    ]
    if charges:
        made.append(await _issue(uow, contract, charges, on, "invoice", None))
    for inv in made:
        log.info("billing.adjusted", contract_no=contract.contract_no, kind=inv.kind, number=inv.invoice_no,
                 total=str(inv.total))  # fmt: skip
    await uow.invoices.add_all(made)
    return made


async def _issue(
    uow: BillingUnitOfWork,
    contract: Contract,
    group: list[Adjustment],
    on: date,
    kind: str,
    credited: uuid.UUID | None,
) -> Invoice:
    by_period: dict[date, list[Adjustment]] = defaultdict(list)
    for a in group:
        by_period[a.period.period_start].append(a)
    periods = [
        DuePeriod(contract, start, items[0].period.period_end, tuple(a.line for a in items))
        for start, items in sorted(by_period.items())
    ]
    n = await uow.invoices.reserve_numbers(series_of(kind, on.year), 1)
    made = bill(periods, invoice_number(on.year, n, kind), on, None, None, current_correlation_id(),
                n if kind == "invoice" else None)  # fmt: skip
    line_kind = "credit" if kind == "credit_note" else "adjustment"
    return replace(
        made,
        kind=kind,
        credits_invoice_id=credited,
        lines=tuple(replace(ln, kind=line_kind) for ln in made.lines),
    )
