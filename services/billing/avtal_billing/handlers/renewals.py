"""Renewal quotes: on the first `contract.expiring` of a term, a pro-forma quote of the next term at its
price (fixed, or raised by the contract's yearly uplift), announced on renewal.quoted with its PDF."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from avtal_billing.domain.invoices import DuePeriod, bill, invoice_number, series_of
from avtal_billing.domain.schedules import PricedLine, schedule
from avtal_billing.handlers.contracts import contract_of, priced_lines
from avtal_billing.store.uow import BillingUnitOfWork
from avtal_common.calendar_days import add_months
from avtal_common.errors import NotFound
from avtal_common.events import Envelope
from avtal_common.logging import current_correlation_id, get_logger
from avtal_common.money import round_money
from avtal_common.payloads.contracts import ContractExpiring, ContractState

log = get_logger(__name__)


async def on_contract_expiring(uow: BillingUnitOfWork, event: Envelope[ContractExpiring]) -> None:
    """One quote per contract and term, however many reminders the term gets."""
    e = event.data
    state = await uow.contracts.state(e.contract_id)
    if state is None:
        raise NotFound(f"billing does not know contract {e.contract_no} yet")
    c = ContractState.model_validate(state)
    start = c.end_date + timedelta(days=1)
    if await uow.invoices.quote_exists(c.contract_id, start):
        return
    end = add_months(start, c.terms.renewal_term_months)
    lines = [_next_price(ln, c) for ln in priced_lines(c) if ln.end is None or ln.end > c.end_date]
    periods = schedule(start, end, c.terms.renewal_term_months, lines)
    if not periods:
        return
    on = event.occurred_at.date()
    n = await uow.invoices.reserve_numbers(series_of("renewal_quote", on.year), 1)
    p = periods[0]
    due = DuePeriod(contract_of(c, 0), p.start, p.end - timedelta(days=1), p.lines)
    quote = bill(due, invoice_number(on.year, n, "renewal_quote"), on, None, None, current_correlation_id())
    quote = replace(quote, kind="renewal_quote", lines=tuple(replace(ln, kind="quote") for ln in quote.lines))
    await uow.invoices.add_all([quote])
    log.info(
        "billing.renewal_quoted", contract_no=c.contract_no, number=quote.invoice_no, total=str(quote.total)
    )


def _next_price(ln: PricedLine, c: ContractState) -> PricedLine:
    """The line for the next term: a fixed price stays; a yearly uplift raises it (rounded to the cent).
    List and index prices are quoted at today's price; the renewal itself prices them (contracts)."""
    if c.terms.price_policy == "uplift_pct" and c.terms.uplift_pct is not None:
        factor = 1 + c.terms.uplift_pct / Decimal(100)
        unit = round_money((ln.unit_price or ln.annual_price) * factor)
        return replace(ln, start=None, end=None, unit_price=unit, annual_price=unit * ln.quantity)
    return replace(ln, start=None, end=None)
