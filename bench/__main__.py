"""`python -m bench`: pipeline events/s against raw aiokafka, the relay's recovery after a broker outage
against 10 s, then `avtal up` warm start against 20 s."""

from __future__ import annotations

import os
import time
from pathlib import Path

import uvloop

from avtal_common.logging import configure_logging
from avtal_common.settings import CommonSettings
from bench import billing_run, catalog_import, contracts_bulk, contracts_calendar, realtime, reporting
from bench.catalog_prices import figures as catalog_figures
from bench.infra import bench_infra
from bench.pipeline import delete_topics, measure_pipeline, new_run_id
from bench.raw import measure_raw
from bench.recovery import recovery_figure
from bench.report import Figure, report
from bench.warm_start import measure_starts
from bench.workload import make_rows

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
EVENTS = int(os.environ.get("AVTAL_BENCH_EVENTS", "20000"))
PAIRS = int(os.environ.get("AVTAL_BENCH_PAIRS", "3"))
MIN_RATIO = 0.16  # issue 5: at or better than the foundation's measurement
WARM_TARGET_S = 20.0  # the foundation measured 10.7 s; issue 5 asks to stay at or below it


async def _pipeline_pair(common: CommonSettings) -> tuple[float, float]:
    """One pipeline run and one raw run of the same events: (pipeline s, raw s)."""
    run_id = new_run_id()
    rows = make_rows(f"bench.pipeline.{run_id}", EVENTS)
    pipeline_s = await measure_pipeline(common, rows, run_id)
    raw_s = await measure_raw(common, rows, run_id)
    print(f"  pipeline {pipeline_s:.2f} s, raw {raw_s:.2f} s: ratio {raw_s / pipeline_s:.3f}", flush=True)
    await delete_topics(
        common, [f"bench.pipeline.{run_id}", f"bench.pipeline.{run_id}.dlq", f"bench.raw.{run_id}"]
    )
    return pipeline_s, raw_s


async def _pipeline_figures(common: CommonSettings) -> list[Figure]:
    # The raw limit alone varies by a factor of two between runs on a busy 2-core machine, so the
    # figure is the median of PAIRS interleaved runs, each pipeline run beside its own raw run.
    print(f"pipeline: {EVENTS} events through outbox → relay → Kafka → consumer → effects, beside raw "
          f"aiokafka produce+consume of the same events, {PAIRS} times ...", flush=True)  # fmt: skip
    pairs = sorted([await _pipeline_pair(common) for _ in range(PAIRS)], key=lambda p: p[1] / p[0])
    pipeline_s, raw_s = pairs[len(pairs) // 2]
    ratios = ", ".join(f"{r / p:.3f}" for p, r in pairs)
    sample = make_rows("bench.sample", 100)
    size = sum(len(r.payload) for r in sample) / len(sample)
    return [
        Figure(
            "pipeline_events_per_s",
            EVENTS / pipeline_s,
            "events/s",
            limit=EVENTS / raw_s,
            min_ratio=MIN_RATIO,
            note=f"{EVENTS} events of ~{size:.0f} B; limit = raw aiokafka acks=all produce + group "
            f"consume on the same broker; group join excluded from both; median of {PAIRS} pairs "
            f"(ratios {ratios})",
        )
    ]


def main() -> None:
    configure_logging("avtal-bench", "WARNING", json=False)
    started = time.monotonic()
    with bench_infra(ROOT / ".avtal" / "bench-pipeline") as (common, where):
        print(f"pipeline bench on {where}", flush=True)
        figures = uvloop.run(_pipeline_figures(common))
        figures.append(uvloop.run(recovery_figure(common, ROOT / ".avtal" / "bench-pipeline")))
        figures += uvloop.run(catalog_figures(common))
        figures += uvloop.run(catalog_import.figures(common))
        figures += uvloop.run(contracts_bulk.figures(common))
        figures += uvloop.run(contracts_calendar.figures(common, ROOT / ".avtal" / "bench-pipeline"))
        figures += uvloop.run(billing_run.figures(common))
        figures += uvloop.run(reporting.figures(common))
    print("reporting: payment.received → dashboard data on a local stack with demo data ...", flush=True)
    figures.append(uvloop.run(realtime.figure(ROOT)))
    print("stack: `avtal up --no-demo` cold start, then the timed warm start ...", flush=True)
    cold_s, warm_s, offset = measure_starts(ROOT)
    figures += [
        Figure(
            "stack_warm_start_s",
            warm_s,
            "s",
            target=WARM_TARGET_S,
            note=f"second `avtal up --no-demo --port-offset {offset}` on an existing data folder, "
            f"process start → AVTAL READY",
        ),
        Figure("stack_cold_start_s", cold_s, "s", note="first start, creates the data folder (informative)"),
    ]
    report(figures, RESULTS)
    print(f"bench took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
