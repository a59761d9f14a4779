"""Billing runs on the real stack survive SIGKILL and concurrency: a run whose billing process is killed at
several points and started again bills each contract period exactly once, to the cent; the same run
asked for twice at once makes one set of invoices; invoice numbers stay gapless throughout."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

import asyncpg
import httpx
import pytest
from billing.integration.test_billing_run_failures import _publish_contracts, _until_scheduled

from avtal_testing.api import unique
from avtal_testing.brokers import free_port
from avtal_testing.stack import StackInfo

CONTRACTS = 600
MONTHS = 12  # monthly periods each, all due: one invoice of 12 lines per contract's customer


def _replica(stack: StackInfo, port: int) -> subprocess.Popen[bytes]:
    """A second billing process on the stack's database and broker: small chunks, no daily run."""
    env = stack.env | {
        "AVTAL_BILLING_HTTP_PORT": str(port),
        "AVTAL_BILLING_AUTO_RUN_AT": "off",
        "AVTAL_BILLING_RUN_CHUNK": "20",
        "AVTAL_BILLING_RUN_HELPER_EVERY_S": "0.5",
        "AVTAL_BILLING_DATABASE_URL": stack.database_url("billing"),
    }
    return subprocess.Popen([sys.executable, "-m", "avtal_billing"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip


def _ready(port: int, proc: subprocess.Popen[bytes], timeout_s: float = 180) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        assert proc.poll() is None, "the billing replica exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the billing replica on port {port} did not get ready")


async def _billed_lines(conn: asyncpg.Connection, ids: list[uuid.UUID]) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM invoice_lines WHERE kind = 'invoice' AND contract_id = ANY($1::uuid[])", ids
        )
    )


async def _until_lines(conn: asyncpg.Connection, ids: list[uuid.UUID], at_least: int) -> int:
    for _ in range(3600):  # up to 3 minutes on a loaded machine
        if (n := await _billed_lines(conn, ids)) >= at_least:
            return n
        await asyncio.sleep(0.05)
    raise AssertionError(f"the run did not reach {at_least} lines")


async def _assert_exactly_once_and_gapless(conn: asyncpg.Connection, ids: list[uuid.UUID], year: int) -> None:
    twice = await conn.fetchval(
        """SELECT count(*) FROM (SELECT 1 FROM invoice_lines WHERE kind = 'invoice' AND contract_id = ANY($1)
           GROUP BY contract_id, billing_period_start, line_id HAVING count(*) > 1) d""",
        ids,
    )
    unbilled = await conn.fetchval(
        "SELECT count(*) FROM billing_periods WHERE contract_id = ANY($1) AND invoice_id IS NULL", ids
    )
    assert (twice, unbilled, await _billed_lines(conn, ids)) == (0, 0, len(ids) * MONTHS)
    # 100.00 a year is 8.33 a month (half up), and 25% VAT on each line: 2.08.
    total = await conn.fetchval(
        "SELECT sum(amount + vat) FROM invoice_lines WHERE contract_id = ANY($1)", ids
    )
    assert total == len(ids) * MONTHS * (Decimal("8.33") + Decimal("2.08"))
    series = f"INV-{year}"
    numbers = [r[0] for r in await conn.fetch(
        "SELECT split_part(invoice_no, '-', 3)::int FROM invoices WHERE series = $1 ORDER BY 1", series
    )]  # fmt: skip
    last = await conn.fetchval("SELECT last_no FROM invoice_sequences WHERE series = $1", series)
    assert numbers == list(range(1, last + 1)), "invoice numbers are gapless and unique"


async def _park_pdfs(conn: asyncpg.Connection, ids: list[uuid.UUID]) -> None:
    """These invoices' PDFs are not this test's subject: rendering hundreds would make later tests wait."""
    await conn.execute(
        """UPDATE invoices SET pdf_not_before = 'infinity' WHERE pdf IS NULL AND invoice_id IN
           (SELECT invoice_id FROM invoice_lines WHERE contract_id = ANY($1::uuid[]))""",
        ids,
    )


def _post_run(port: int, body: dict[str, str], headers: dict[str, str], out: list[object]) -> None:
    try:
        out.append(
            httpx.post(f"http://127.0.0.1:{port}/billing-runs/", json=body, headers=headers, timeout=300)
        )
    except httpx.HTTPError as exc:  # the process was killed under the request
        out.append(exc)


@pytest.mark.timeout(300)
async def test_a_run_killed_at_several_points_and_restarted_bills_each_period_once_to_the_cent(
    stack: StackInfo,
) -> None:
    ids = [uuid.uuid4() for _ in range(CONTRACTS)]
    start = date(date.today().year - 1, 1, 1) + timedelta(days=uuid.uuid4().int % 200)
    await _publish_contracts(stack.kafka_bootstrap_servers, ids, start, interval=1)
    conn = await asyncpg.connect(stack.database_url("billing"))
    port = free_port()
    try:
        await _until_scheduled(conn, ids)
        as_of = start + timedelta(days=340)  # every monthly period invoiced by then
        body = {"as_of": str(as_of), "run_key": unique("killed")}
        left_after_kill = []
        for kill_at in (CONTRACTS * MONTHS // 10, CONTRACTS * MONTHS // 3):
            replica = _replica(stack, port)
            try:
                _ready(port, replica)
                answers: list[object] = []
                threading.Thread(target=_post_run, args=(port, body, stack.internal_headers, answers)).start()
                await _until_lines(conn, ids, kill_at)
            finally:
                os.kill(replica.pid, signal.SIGKILL)  # mid-chunk: its open transaction is rolled back
                replica.wait()
            left_after_kill.append(CONTRACTS * MONTHS - await _billed_lines(conn, ids))
        assert left_after_kill[0] > 0, "the first kill came in the middle of the run"
        survivor = _replica(stack, port)  # the restart: it finishes the unfinished run by itself
        try:
            _ready(port, survivor)
            await _until_lines(conn, ids, CONTRACTS * MONTHS)
            for _ in range(600):
                if await conn.fetchval(
                    "SELECT finished_at IS NOT NULL FROM billing_runs WHERE run_key = $1", body["run_key"]
                ):
                    break
                await asyncio.sleep(0.1)
            await _assert_exactly_once_and_gapless(conn, ids, as_of.year)
        finally:
            survivor.terminate()
            survivor.wait(30)
    finally:
        await _park_pdfs(conn, ids)
        await conn.close()


@pytest.mark.timeout(300)
async def test_the_same_run_asked_for_twice_at_once_makes_one_set_of_invoices(stack: StackInfo) -> None:
    ids = [uuid.uuid4() for _ in range(200)]
    start = date(date.today().year - 1, 1, 1) + timedelta(days=uuid.uuid4().int % 200)
    await _publish_contracts(stack.kafka_bootstrap_servers, ids, start, interval=1)
    conn = await asyncpg.connect(stack.database_url("billing"))
    port = free_port()
    replica = _replica(stack, port)
    try:
        await _until_scheduled(conn, ids)
        _ready(port, replica)
        as_of = start + timedelta(days=340)
        body = {"as_of": str(as_of), "run_key": unique("twice")}
        billing_port = int(stack.services["billing"].rsplit(":", 1)[1])
        answers: list[object] = []
        threads = [
            threading.Thread(target=_post_run, args=(p, body, stack.internal_headers, answers))
            for p in (port, billing_port)  # the stack's billing and the replica, at once
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(240)

        statuses = [a.status_code for a in answers if isinstance(a, httpx.Response)]
        assert statuses == [201, 201], answers
        runs = {a.json()["run_id"] for a in answers if isinstance(a, httpx.Response)}
        assert len(runs) == 1, "one run, whichever replica took the request"
        await _assert_exactly_once_and_gapless(conn, ids, as_of.year)
    finally:
        replica.terminate()
        replica.wait(30)
        await _park_pdfs(conn, ids)
        await conn.close()
