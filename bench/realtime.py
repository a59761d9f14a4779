# ruff: noqa: E501 - long f-string notes
"""Event to dashboard: a `payment.received` published to Kafka, matched and applied by billing, relayed as
`payment.applied`, folded by reporting, until reporting's dashboard data shows it; on a whole local stack
with its demo data, one payment at a time."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer

from avtal_common import topics
from bench.report import Figure
from bench.warm_start import READY_LINE, _stack_env, _stop, pick_offset

SAMPLES = 25
TARGET_MS = 1000.0


def _start(root: Path) -> tuple[subprocess.Popen[str], dict[str, object]]:
    home = root / ".avtal" / "bench-realtime"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    avtal = Path(sys.executable).parent / "avtal"
    log = open(home.parent / "bench-realtime-up.log", "w")  # noqa: SIM115 - open for the stack's lifetime
    proc = subprocess.Popen([str(avtal), "up", "--demo", "--port-offset", str(pick_offset())],
                            stdout=subprocess.PIPE, stderr=log, text=True, env=_stack_env(home))  # fmt: skip
    ready = threading.Event()

    def watch() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            if line.strip() == READY_LINE:
                ready.set()

    threading.Thread(target=watch, daemon=True).start()
    deadline = time.monotonic() + 300
    while not ready.wait(0.2):
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            raise RuntimeError("the stack for the real-time bench did not start; see bench-realtime-up.log")
    return proc, json.loads((home / "stack.json").read_text())


async def _open_invoice(postgres_url: str) -> str:
    base = postgres_url.rpartition("/")[0]
    conn = await asyncpg.connect(f"{base}/avtal_billing")
    try:
        number: str = await conn.fetchval(
            "SELECT invoice_no FROM invoices WHERE kind = 'invoice' AND currency = 'SEK' "
            "AND status IN ('issued', 'partially_paid') ORDER BY total DESC LIMIT 1"
        )
        return number
    finally:
        await conn.close()


def _collected(reporting: httpx.Client) -> Decimal:
    d = reporting.get("/dashboard/", params={"currency": "SEK", "months": 1}).json()
    return Decimal(d["revenue"][-1]["collected"])


async def figure(root: Path) -> Figure:
    proc, state = _start(root)
    try:
        invoice_no = await _open_invoice(str(state["postgres_url"]))
        services = state["services"]
        assert isinstance(services, dict)
        reporting = httpx.Client(base_url=services["reporting"], timeout=10,
                                 headers={"Authorization": f"Bearer {state['service_token']}"})  # fmt: skip
        producer = AIOKafkaProducer(bootstrap_servers=str(state["kafka_bootstrap_servers"]), acks="all")
        await producer.start()
        times, dashboard_ms = [], []
        try:
            for _ in range(SAMPLES + 2):
                before = _collected(reporting)
                pid = f"bench-{uuid.uuid4().hex[:12]}"
                payment = {"payment_id": pid, "amount": "1.00", "currency": "SEK", "paid_on": str(date.today()),
                           "invoice_no": invoice_no, "source": "bench"}  # fmt: skip
                envelope = {"event_id": str(uuid.uuid4()), "event_type": topics.PAYMENT_RECEIVED,
                            "producer": "bench", "aggregate_id": pid, "data": payment}  # fmt: skip
                started = time.perf_counter()
                await producer.send_and_wait(
                    topics.PAYMENT_RECEIVED, json.dumps(envelope).encode(), key=pid.encode()
                )
                while True:
                    t = time.perf_counter()
                    now = _collected(reporting)
                    dashboard_ms.append((time.perf_counter() - t) * 1000)
                    if now == before + 1:
                        break
                    if time.perf_counter() - started > 30:
                        raise RuntimeError(f"payment {pid} not on the dashboard after 30 s")
                times.append((time.perf_counter() - started) * 1000)
        finally:
            await producer.stop()
            reporting.close()
    finally:
        _stop(proc)
    times = times[2:]  # the first ones also warm the consumers' connections
    p95 = statistics.quantiles(times, n=20)[18]
    print(f"  payment → dashboard: p95 {p95:.0f} ms, median {statistics.median(times):.0f} ms, "
          f"max {max(times):.0f} ms (one dashboard read: median {statistics.median(dashboard_ms):.0f} ms)",
          flush=True)  # fmt: skip
    return Figure(
        "event_to_dashboard_p95_ms", p95, "ms", target=TARGET_MS,
        note=f"{SAMPLES} payment.received of 1.00 on an open demo invoice, each published to Kafka and timed "
        f"until reporting's dashboard data (GET /dashboard) shows the month's collections grown by it: billing "
        f"matches and applies it, its relay publishes payment.applied, reporting folds it; the local stack "
        f"with demo data",
    )  # fmt: skip
