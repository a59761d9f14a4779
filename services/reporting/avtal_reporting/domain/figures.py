"""The figures of METRICS.md as pure functions: line MRR (M1), the movements bridge (M5), retention (M7),
recognition (M9), aging buckets (M11), DSO (M12), expected collection dates (M13/M14) and the cash-flow
scenarios (M15). The store reads what they need; nothing here touches a database."""

from __future__ import annotations

import calendar
import uuid
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")


def r2(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def line_mrr(annual_price: Decimal) -> Decimal:
    """M1 for a line priced per year (unit price × quantity, discounts applied): a twelfth, rounded half
    up to the cent once per line, so every sum of MRR is exact and the bridge adds up to the cent."""
    return r2(annual_price / 12)


def month_of(d: date) -> date:
    return d.replace(day=1)


@lru_cache(maxsize=4096)
def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


@lru_cache(maxsize=4096)
def add_months(month: date, n: int) -> date:
    y, m = divmod(month.year * 12 + month.month - 1 + n, 12)
    return date(y, m + 1, 1)


def first_counted_month(start: date, end: date) -> date | None:
    """The first month whose last day a line spanning [start, end] covers (None: it covers none)."""
    m = month_of(start)
    return m if month_end(m) <= end else None


@dataclass
class MrrMonthFigures:
    month: date
    mrr_start: Decimal = ZERO
    mrr: Decimal = ZERO
    new: Decimal = ZERO
    reactivation: Decimal = ZERO
    expansion: Decimal = ZERO
    contraction: Decimal = ZERO
    churn: Decimal = ZERO
    customers: int = 0

    @property
    def arr(self) -> Decimal:
        return self.mrr * 12

    def holds(self) -> bool:
        """M5's invariant."""
        moved = self.new + self.reactivation + self.expansion - self.contraction - self.churn
        return self.mrr == self.mrr_start + moved


def bridge(
    mrr: Mapping[uuid.UUID, Mapping[date, Decimal]], first_month: Mapping[uuid.UUID, date], months: list[date]
) -> list[MrrMonthFigures]:
    """M5 per month: `mrr[c][m]` is customer c's MRR at the end of month m (missing: 0), for each of
    `months` and the month before the first; `first_month[c]` is the first month c ever had MRR > 0."""
    out = []
    for m in months:
        prev = add_months(m, -1)
        f = MrrMonthFigures(m)
        for c, series in mrr.items():
            m0, m1 = series.get(prev, ZERO), series.get(m, ZERO)
            f.mrr_start += m0
            f.mrr += m1
            f.customers += m1 > 0
            if m0 == 0 and m1 > 0:
                if first_month.get(c, m) < m:
                    f.reactivation += m1
                else:
                    f.new += m1
            elif m1 > m0 > 0:
                f.expansion += m1 - m0
            elif m0 > m1 > 0:
                f.contraction += m0 - m1
            elif m0 > 0 and m1 == 0:
                f.churn += m0
        out.append(f)
    return out


@dataclass(frozen=True)
class RetentionFigures:
    mrr_start: Decimal
    gross_mrr_churn_pct: Decimal | None
    net_mrr_churn_pct: Decimal | None
    customer_churn_pct: Decimal | None
    nrr_pct: Decimal | None
    grr_pct: Decimal | None


def retention(mrr: Mapping[uuid.UUID, Mapping[date, Decimal]], before: date, last: date) -> RetentionFigures:
    """M7 from the end of month `before` to the end of month `last`, in percent (2 decimals)."""
    m0s = {c: s.get(before, ZERO) for c, s in mrr.items()}
    m1s = {c: s.get(last, ZERO) for c, s in mrr.items()}
    start = sum(m0s.values(), ZERO)
    churn = contraction = expansion = reactivation = ZERO
    for c in mrr:
        m0, m1 = m0s[c], m1s[c]
        if m0 > 0 and m1 == 0:
            churn += m0
        elif m0 > m1 > 0:
            contraction += m0 - m1
        elif m1 > m0 > 0:
            expansion += m1 - m0
        elif m0 == 0 and m1 > 0 and any(v > 0 for k, v in mrr[c].items() if k < before):
            reactivation += m1
    had = [c for c in mrr if m0s[c] > 0]
    if not had or start == 0:
        return RetentionFigures(start, None, None, None, None, None)

    def pct(x: Decimal) -> Decimal:
        return r2(x * 100 / start)

    lost = sum(1 for c in had if m1s[c] == 0)
    return RetentionFigures(
        mrr_start=start,
        gross_mrr_churn_pct=pct(churn + contraction),
        net_mrr_churn_pct=pct(churn + contraction - expansion - reactivation),
        customer_churn_pct=r2(Decimal(lost * 100) / len(had)),
        nrr_pct=pct(sum((m1s[c] for c in had), ZERO)),
        grr_pct=pct(sum((min(m1s[c], m0s[c]) for c in had), ZERO)),
    )


def recognize(amount: Decimal, start: date | None, end: date | None, issued: date) -> dict[date, Decimal]:
    """M9: the net amount of one line by the month it is recognized in. Cumulative rounding, so the
    months sum exactly to `amount`; a line without a service period is recognized on its issue date."""
    if start is None or end is None or end < start:
        return {month_of(issued): amount}
    days = (end - start).days + 1

    def through(d: date) -> Decimal:
        return r2(amount * ((d - start).days + 1) / days)

    out: dict[date, Decimal] = {}
    before = ZERO
    m = month_of(start)
    while m <= end:
        last = month_end(m)
        upto = amount if last >= end else through(last)
        out[m] = upto - before
        before, m = upto, last + timedelta(days=1)
    return out


def bucket_of(days_past_due: int) -> str:
    """M11's buckets."""
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1-30"
    if days_past_due <= 60:
        return "31-60"
    if days_past_due <= 90:
        return "61-90"
    return "90+"


def dso(ar: Decimal, sales: list[tuple[date, Decimal]]) -> Decimal | None:
    """M12 countback: `sales` are (month, gross sales) from the as-of month backwards."""
    if ar <= 0:
        return ZERO if sales else None
    remaining, days = ar, Decimal(0)
    for month, amount in sales:
        n = Decimal((month_end(month) - month).days + 1)
        if amount <= 0:
            days += n
            continue
        if remaining >= amount:
            remaining -= amount
            days += n
        else:
            return r2(days + remaining / amount * n)
    return r2(days) if sales else None


def avg_days_late(weighted: Decimal, amount: Decimal, fallback: Decimal) -> Decimal:
    """M13 from its sums over the customer's last 12 paid invoices; `fallback` when there are none."""
    return weighted / amount if amount > 0 else fallback


def expected_date(due: date, late_days: Decimal, as_of: date) -> date:
    """M14: due date plus the customer's rounded mean lateness, never before the as-of date."""
    return max(due + timedelta(days=int(r2(late_days).to_integral_value(ROUND_HALF_UP))), as_of)


@dataclass(frozen=True)
class Bucket:
    start: date
    end: date


def monthly_buckets(as_of: date, n: int = 12) -> list[Bucket]:
    first = month_of(as_of)
    return [Bucket(m, month_end(m)) for m in (add_months(first, i) for i in range(n))]


def weekly_buckets(as_of: date, n: int = 13) -> list[Bucket]:
    monday = as_of - timedelta(days=as_of.weekday())
    return [Bucket(monday + timedelta(weeks=i), monday + timedelta(weeks=i, days=6)) for i in range(n)]


@dataclass
class CashBucket:
    bucket: Bucket
    committed: Decimal = ZERO
    renewals: Decimal = ZERO  # weighted by p_renew
    renewals_all: Decimal = ZERO  # every renewal at p = 1
    doubtful: Decimal = ZERO  # weighted doubtful AR
    actual: Decimal = ZERO

    @property
    def expected(self) -> Decimal:
        return self.committed + self.renewals + self.doubtful

    @property
    def best(self) -> Decimal:
        return self.committed + self.renewals_all + self.doubtful


@dataclass
class CashFlows:
    """Dated cash the forecast places in buckets (M15)."""

    committed: list[tuple[date, Decimal]] = field(default_factory=list)
    renewals: list[tuple[date, Decimal, Decimal]] = field(default_factory=list)  # (date, amount, p_renew)
    doubtful: list[tuple[date, Decimal]] = field(default_factory=list)  # already weighted
    actual: list[tuple[date, Decimal]] = field(default_factory=list)


def place(flows: CashFlows, buckets: list[Bucket]) -> list[CashBucket]:
    out = [CashBucket(b) for b in buckets]
    starts = [b.start for b in buckets]

    def find(d: date) -> CashBucket | None:
        i = bisect_right(starts, d) - 1
        return out[i] if i >= 0 and d <= out[i].bucket.end else None

    for d, a in flows.committed:
        if (cb := find(d)) is not None:
            cb.committed += a
    for d, a, p in flows.renewals:
        if (cb := find(d)) is not None:
            cb.renewals += a * p
            cb.renewals_all += a
    for d, a in flows.doubtful:
        if (cb := find(d)) is not None:
            cb.doubtful += a
    for d, a in flows.actual:
        if (cb := find(d)) is not None:
            cb.actual += a
    for cb in out:
        cb.renewals, cb.doubtful = r2(cb.renewals), r2(cb.doubtful)
    return out


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def periods(start: date, end: date, interval_months: int) -> list[Period]:
    """A contract's billing periods from its start, `interval_months` long, the last one cut at `end`."""
    out, s, i = [], start, 1
    while s <= end:
        nxt = add_months_day(start, interval_months * i)
        out.append(Period(s, min(end, nxt - timedelta(days=1))))
        s, i = nxt, i + 1
    return out


def add_months_day(d: date, n: int) -> date:
    m = add_months(month_of(d), n)
    return m.replace(day=min(d.day, month_end(m).day))


@dataclass(frozen=True)
class PricedLine:
    start: date
    end: date
    annual_price: Decimal
    vat_rate: Decimal  # percent


def period_gross(lines: Iterable[PricedLine], p: Period, interval_months: int) -> Decimal:
    """What invoicing `p` will ask for, VAT included: each line's share of the period by actual days
    (a whole period costs annual × months / 12), as billing prices it (docs/billing-model.md)."""
    total = ZERO
    days = (p.end - p.start).days + 1
    full = (add_months_day(p.start, interval_months) - p.start).days
    for ln in lines:
        s, e = max(ln.start, p.start), min(ln.end, p.end)
        if e < s:
            continue
        whole = ln.annual_price * interval_months / 12
        covered = (e - s).days + 1
        net = r2(whole if covered == full and days == full else whole * covered / full)
        total += net + r2(net * ln.vat_rate / 100)
    return total


def by_customer_month(
    rows: Iterable[tuple[uuid.UUID, date, Decimal]],
) -> dict[uuid.UUID, dict[date, Decimal]]:
    out: dict[uuid.UUID, dict[date, Decimal]] = defaultdict(dict)
    for c, m, v in rows:
        out[c][m] = out[c].get(m, ZERO) + v
    return dict(out)


def series(lines: Iterable[tuple[date, date, Decimal]]) -> dict[date, Decimal]:
    """M2 for one customer: MRR at the end of every month its lines cover (only months above zero)."""
    out: dict[date, Decimal] = {}
    for start, end, mrr in lines:
        m = first_counted_month(start, end)
        while m is not None and month_end(m) <= end:
            out[m] = out.get(m, ZERO) + mrr
            m = add_months(m, 1)
    return {m: v for m, v in out.items() if v > 0}


MOVES = ("mrr", "new", "reactivation", "expansion", "contraction", "churn", "customers")


def contributions(s: Mapping[date, Decimal]) -> dict[date, tuple[Decimal, ...]]:
    """What one customer's MRR series adds to each month's totals, in MOVES order (M5). Summed over
    customers, these are the bridge; a change of one customer moves the totals by new − old."""
    if not s:
        return {}
    months = sorted(s)
    out: dict[date, tuple[Decimal, ...]] = {}
    m, last = months[0], add_months(months[-1], 1)
    seen = False
    while m <= last:
        m0, m1 = s.get(add_months(m, -1), ZERO), s.get(m, ZERO)
        new = react = exp = contr = churn = ZERO
        if m0 == 0 and m1 > 0:
            react, new = (m1, ZERO) if seen else (ZERO, m1)
        elif m1 > m0 > 0:
            exp = m1 - m0
        elif m0 > m1 > 0:
            contr = m0 - m1
        elif m0 > 0 and m1 == 0:
            churn = m0
        row = (m1, new, react, exp, contr, churn, Decimal(1 if m1 > 0 else 0))
        if any(row):
            out[m] = row
        seen = seen or m1 > 0
        m = add_months(m, 1)
    return out


def delta(
    old: Mapping[date, tuple[Decimal, ...]], new: Mapping[date, tuple[Decimal, ...]]
) -> dict[date, tuple[Decimal, ...]]:
    zero = (ZERO,) * len(MOVES)
    out = {}
    for m in sorted(set(old) | set(new)):
        d = tuple(b - a for a, b in zip(old.get(m, zero), new.get(m, zero), strict=True))
        if any(d):
            out[m] = d
    return out


def retention_of(
    start: Decimal, churn: Decimal, contraction: Decimal, expansion: Decimal, reactivation: Decimal,
    had: int, lost: int, kept: Decimal, kept_capped: Decimal,
) -> RetentionFigures:  # fmt: skip
    """M7 from its sums over customers (see `retention` for the same from series)."""
    if not had or start == 0:
        return RetentionFigures(start, None, None, None, None, None)

    def pct(x: Decimal) -> Decimal:
        return r2(x * 100 / start)

    return RetentionFigures(
        mrr_start=start,
        gross_mrr_churn_pct=pct(churn + contraction),
        net_mrr_churn_pct=pct(churn + contraction - expansion - reactivation),
        customer_churn_pct=r2(Decimal(lost * 100) / had),
        nrr_pct=pct(kept),
        grr_pct=pct(kept_capped),
    )
