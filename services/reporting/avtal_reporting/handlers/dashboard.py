"""The dashboard use case: read each widget's raw figures for one currency and compute METRICS.md."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from avtal_common.api.dashboard import (
    Aging,
    AgingBucket,
    ChurnMonth,
    Dashboard,
    Forecast,
    ForecastBucket,
    MrrMonth,
    RenewalRow,
    Renewals,
    RenewalWindow,
    Retention,
    RevenueMonthFigures,
    TopCustomer,
)
from avtal_reporting.domain.figures import (
    BUCKETS,
    MOVES,
    ZERO,
    Bucket,
    CashFlows,
    MrrMonthFigures,
    RetentionFigures,
    add_months,
    add_months_day,
    bridge,
    bucket_of,
    by_customer_month,
    dso,
    expected_date,
    month_end,
    month_of,
    monthly_buckets,
    periods,
    place,
    r2,
    recognize,
    retention,
    retention_of,
    weekly_buckets,
)
from avtal_reporting.store.dashboard import Filters, OpenGroup, RenewalContract
from avtal_reporting.store.uow import ReportingUnitOfWork


@dataclass(frozen=True)
class Assumptions:
    """The forecast's configurable choices (AVTAL_REPORTING_*; docs/reporting-figures.md)."""

    doubtful_weight: Decimal = Decimal("0.5")  # share of AR > 90 days past due expected to come in
    default_renewal_rate: Decimal = Decimal("0.5")  # p_renew when no term ended in the trailing year


async def dashboard(
    uow: ReportingUnitOfWork, f: Filters, as_of: date, months: int, a: Assumptions = Assumptions()
) -> Dashboard:
    last = month_of(as_of)
    first = add_months(last, -(months - 1))
    window = [add_months(first, i) for i in range(months)]
    async with uow:
        version, _ = await uow.dashboard.version()
        currencies = await uow.dashboard.currencies()
        moves, ret, top = await _mrr(uow, f, as_of, window)
        groups = await uow.dashboard.open_groups(f, as_of)
        company_late = await uow.dashboard.company_lateness(f.currency)
        aging = await _aging(uow, f, as_of, groups)
        revenue = await _revenue(uow, f, first, last)
        forecast = await _forecast(uow, f, as_of, groups, company_late, a)
        renewals = await _renewals(uow, f, as_of)
        ended = await uow.dashboard.contracts_ended(f, first, month_end(last))
        open_ar = await uow.dashboard.open_by_customer(f, as_of, [c for c, _, _ in top])
        invoiced = await uow.dashboard.invoiced_since(
            [c for c, _, _ in top], as_of - timedelta(days=364), as_of, f.currency
        )
    return Dashboard(
        currency=f.currency,
        currencies=currencies,
        as_of=as_of,
        version=version,
        mrr=[
            MrrMonth(
                month=m.month,
                mrr_start=m.mrr_start,
                mrr=m.mrr,
                arr=m.arr,
                new=m.new,
                reactivation=m.reactivation,
                expansion=m.expansion,
                contraction=m.contraction,
                churn=m.churn,
                customers=m.customers,
            )
            for m in moves
        ],
        retention=Retention(**vars(ret)),
        revenue=revenue,
        aging=aging,
        forecast=forecast,
        renewals=renewals,
        churn=[
            ChurnMonth(
                month=m.month, churn=m.churn, contraction=m.contraction, contracts_ended=ended.get(m.month, 0)
            )
            for m in moves
        ],
        top_customers=[
            TopCustomer(
                customer_id=c,
                name=name,
                arr=arr,
                invoiced_12m=invoiced.get(c, ZERO),
                open_ar=open_ar.get(c, ZERO),
            )
            for c, name, arr in top
        ],
    )


async def _mrr(
    uow: ReportingUnitOfWork, f: Filters, as_of: date, window: list[date]
) -> tuple[list[MrrMonthFigures], RetentionFigures, list[tuple[uuid.UUID, str, Decimal]]]:
    """The bridge, retention and top customers: folded totals unless a filter needs the lines."""
    before, last = add_months(window[0], -1), window[-1]
    if f.product_id is not None or f.vendor:  # only the lines know their product
        s = by_customer_month(await uow.dashboard.mrr_by_customer_month(f, before, last))
        firsts = await uow.dashboard.first_months(f)
        return bridge(s, firsts, window), retention(s, before, last), await uow.dashboard.arr_on(f, as_of, 10)
    if f.customer_id is not None:
        own = await uow.dashboard.customer_series(f.currency, f.customer_id)
        s = {f.customer_id: own}
        firsts = {f.customer_id: min(own)} if own else {}
        return bridge(s, firsts, window), retention(s, before, last), await uow.dashboard.arr_on(f, as_of, 10)
    folded = await uow.dashboard.mrr_months(f.currency, before, last)
    zero = (ZERO,) * len(MOVES)
    moves = []
    for m in window:
        row, prev = folded.get(m, zero), folded.get(add_months(m, -1), zero)
        mrr, new, react, exp, contr, churn, customers = row
        moves.append(MrrMonthFigures(m, prev[0], mrr, new, react, exp, contr, churn, int(customers)))
    sums = await uow.dashboard.retention_sums(f.currency, before, last)
    return moves, retention_of(*vars(sums).values()), await uow.dashboard.top_by_mrr(f.currency, last, 10)


async def _revenue(
    uow: ReportingUnitOfWork, f: Filters, first: date, last: date
) -> list[RevenueMonthFigures]:
    collected: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for d, v in await uow.dashboard.collected_by_day(f, first, month_end(last)):
        collected[month_of(d)] += v
    if f.customer_id is None:
        rows = await uow.dashboard.revenue_months(f.currency, first, last)
    else:  # one customer: its own lines, recognized here (the folded table is company-wide)
        rows = _customer_revenue(await uow.dashboard.customer_lines(f), first, last)
    return [
        RevenueMonthFigures(month=m, invoiced=inv, recognized=rec, collected=collected[m], deferred=dfr)
        for m, inv, rec, dfr in rows
    ]


def _customer_revenue(
    lines: list[tuple[date, date | None, date | None, Decimal]], first: date, last: date
) -> list[tuple[date, Decimal, Decimal, Decimal]]:
    folded: dict[tuple[date, date], Decimal] = defaultdict(lambda: ZERO)  # (issue month, month) -> amount
    for issued, s, e, amount in lines:
        for m, part in recognize(amount, s, e, issued).items():
            folded[(month_of(issued), m)] += part
    out = []
    m = first
    while m <= last:
        inv = sum((v for (i, _), v in folded.items() if i == m), ZERO)
        rec = sum((v for (_, k), v in folded.items() if k == m), ZERO)
        dfr = sum((v for (i, k), v in folded.items() if i <= m < k), ZERO)
        out.append((m, inv, rec, dfr))
        m = add_months(m, 1)
    return out


async def _aging(uow: ReportingUnitOfWork, f: Filters, as_of: date, groups: list[OpenGroup]) -> Aging:
    amounts = {b: ZERO for b in BUCKETS}
    counts = {b: 0 for b in BUCKETS}
    # Payments kept as credit, and invoices credited beyond what was open: money to the customers' good.
    unapplied = -(await uow.dashboard.unapplied(f, as_of)) + sum((g.overcredited for g in groups), ZERO)
    for g in groups:
        b = bucket_of((as_of - g.due_date).days)
        amounts[b] += g.open
        counts[b] += g.invoices
    total = sum(amounts.values(), ZERO)
    sales = await uow.dashboard.sales_by_month(f, month_of(as_of), 24)
    return Aging(
        buckets=[AgingBucket(bucket=b, amount=amounts[b], invoices=counts[b]) for b in BUCKETS],
        total=total,
        unapplied=unapplied,
        dso_days=dso(total, sales),
    )


async def _forecast(
    uow: ReportingUnitOfWork,
    f: Filters,
    as_of: date,
    groups: list[OpenGroup],
    company: Decimal,
    a: Assumptions,
) -> Forecast:
    months, weeks = monthly_buckets(as_of), weekly_buckets(as_of)
    horizon = max(months[-1].end, weeks[-1].end)

    def late(days: int | None) -> Decimal:
        return company if days is None else Decimal(days)

    flows = CashFlows()
    doubtful = ZERO
    for g in groups:
        if not g.open:
            continue
        if (as_of - g.due_date).days > 90:
            doubtful += g.open
            flows.doubtful.append((as_of, g.open * a.doubtful_weight))
        else:
            flows.committed.append((expected_date(g.due_date, late(g.late_days), as_of), g.open))
    for due, late_days, gross in await uow.dashboard.scheduled_due(f, horizon):
        flows.committed.append((expected_date(due, late(late_days), as_of), gross))
    rate = await uow.dashboard.renewal_rate(
        f.currency, as_of - timedelta(days=365), as_of - timedelta(days=1)
    )
    p_default = rate if rate is not None else a.default_renewal_rate
    for g in await uow.dashboard.renewal_groups(f, as_of, horizon):
        p = (ZERO, Decimal(1), p_default)[g.p_class]
        start = g.end_date + timedelta(days=1)
        term_end = add_months_day(start, g.renewal_months) - timedelta(days=1)
        gross = r2(g.renewal_gross * g.interval_months / 12)
        for per in periods(start, term_end, g.interval_months):
            due = per.start if g.timing != "arrears" else per.end + timedelta(days=1 + g.terms_days)
            when = expected_date(due, late(g.late_days), as_of)
            if when > horizon:
                break
            flows.renewals.append((when, gross, p))
    # What came in: by month from the folded totals (by day for one customer), by day for the weeks.
    by_month = await uow.dashboard.collected_by_day(f, months[0].start, months[-1].end)
    by_day = await uow.dashboard.collections_between(f, weeks[0].start, weeks[-1].end)

    def out(buckets: list[Bucket], actual: list[tuple[date, Decimal]]) -> list[ForecastBucket]:
        flows.actual = actual
        return [
            ForecastBucket(
                start=b.bucket.start,
                end=b.bucket.end,
                committed=b.committed,
                expected=b.expected,
                best=b.best,
                actual=b.actual,
            )
            for b in place(flows, buckets)
        ]

    return Forecast(
        monthly=out(months, by_month),
        weekly=out(weeks, by_day),
        doubtful=doubtful,
        renewal_rate=None if rate is None else r2(rate * 100),
    )


def _status(c: RenewalContract) -> str:
    if c.renewed_to is not None:
        return "renewed"
    if c.terminated_on is not None or c.status == "terminated":
        return "terminated"
    for step in ("declined", "accepted", "quoted"):
        if step in c.steps:
            return step
    return "open"


async def _renewals(uow: ReportingUnitOfWork, f: Filters, as_of: date) -> Renewals:
    rows = await uow.dashboard.ending(f, as_of, as_of + timedelta(days=90))
    windows = [
        RenewalWindow(days=d, contracts=n, arr=arr)
        for d, n, arr in await uow.dashboard.renewal_windows(f, as_of)
    ]
    return Renewals(
        windows=windows,
        contracts=[
            RenewalRow(
                contract_id=c.contract_id,
                contract_no=c.contract_no,
                customer_id=c.customer_id,
                customer_name=c.customer_name,
                end_date=c.end_date,
                notice_deadline=c.end_date - timedelta(days=c.notice_days),
                arr=c.annual_value,
                auto_renew=c.auto_renew,
                status=_status(c),
            )
            for c in rows
        ],
    )
