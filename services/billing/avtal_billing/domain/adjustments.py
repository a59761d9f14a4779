"""What a contract change does to periods already invoiced: each contract line's period is worth what the
new state says, and the difference to what was billed for it so far is credited (a termination of a
prepaid period, a price cut, an item removed) or charged (an item added or a price raised inside an
invoiced period). Pure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from avtal_billing.domain.schedules import Period, PeriodLine, PricedLine, ScheduledPeriod, schedule

LineKey = tuple[date, uuid.UUID | None]  # (schedule period start, contract line)


@dataclass(frozen=True)
class Billed:
    """What the lines of one contract line and schedule period came to so far (invoice and credits)."""

    amount: Decimal
    description: str
    serials: str
    vat_rate: Decimal


@dataclass(frozen=True)
class Adjustment:
    period: ScheduledPeriod
    line: PeriodLine  # amount: positive to charge, negative to credit

    @property
    def is_credit(self) -> bool:
        return self.line.amount < 0


def adjustments(
    invoiced: list[ScheduledPeriod],
    end: date,
    interval_months: int,
    lines: list[PricedLine],
    billed: dict[LineKey, Billed],
) -> list[Adjustment]:
    """For each invoiced period, each line's worth under the new state (`end` exclusive) less what was
    billed for it; only differences are returned."""
    out: list[Adjustment] = []
    for p in invoiced:
        if (p.period_start, None) in billed:
            continue  # billed before issue 9, without contract lines to compare: left as it was
        stop = min(p.period_end + timedelta(days=1), end)
        now = {ln.line_id: ln for q in _worth(p.period_start, stop, interval_months, lines) for ln in q.lines}
        keys = {k[1] for k in billed if k[0] == p.period_start} | set(now)
        for line_id in sorted(keys, key=str):
            before = billed.get((p.period_start, line_id))
            after = now.get(line_id)
            delta = (after.amount if after else Decimal("0.00")) - (
                before.amount if before else Decimal("0.00")
            )
            if delta:
                out.append(Adjustment(p, _line(after, before, line_id, p, delta)))
    return out


def _worth(start: date, stop: date, interval_months: int, lines: list[PricedLine]) -> list[Period]:
    return schedule(start, stop, interval_months, lines) if stop > start else []


def _line(
    after: PeriodLine | None,
    before: Billed | None,
    line_id: uuid.UUID | None,
    p: ScheduledPeriod,
    delta: Decimal,
) -> PeriodLine:
    """The difference as a line: a credit covers the days no longer billed, a charge the days now billed;
    VAT at the rate first billed for the line."""
    rate = before.vat_rate if before is not None else after.vat_rate if after is not None else None
    if after is not None and delta > 0:
        return replace(after, amount=delta, vat_rate=rate)
    first = after.end + timedelta(days=1) if after is not None and after.end else p.period_start
    known: PeriodLine | Billed | None = after if after is not None else before
    assert known is not None  # a line comes from the new state, from what was billed, or both
    return PeriodLine(known.description, delta, line_id, first, p.period_end, known.serials, vat_rate=rate)
