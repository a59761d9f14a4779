"""`avtal billing run` against the running stack: it shows the run's progress and prints its totals; the
same key again invoices nothing new; an out-of-bounds date is refused with the reason."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import date, timedelta

import asyncpg
from billing.integration.test_billing_run_failures import _publish_contracts, _until_scheduled

from avtal_testing.api import unique
from avtal_testing.stack import StackInfo


def _cli(stack: StackInfo, *args: str) -> subprocess.CompletedProcess[str]:
    env = stack.env | {"AVTAL_BILLING_URL": stack.services["billing"], "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "avtal_stack.cli", "billing", "run", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)


async def test_the_cli_runs_billing_prints_totals_and_a_rerun_of_the_key_adds_nothing(
    stack: StackInfo,
) -> None:
    ids = [uuid.uuid4() for _ in range(3)]
    start = date.today() - timedelta(days=40)
    await _publish_contracts(stack.kafka_bootstrap_servers, ids, start)
    conn = await asyncpg.connect(stack.database_url("billing"))
    try:
        await _until_scheduled(conn, ids)
    finally:
        await conn.close()
    key = unique("cli")

    first = _cli(stack, "--as-of", str(start), "--key", key, "--per", "contract")
    again = _cli(stack, "--as-of", str(start), "--key", key)
    refused = _cli(stack, "--as-of", "2999-01-01")

    assert first.returncode == 0, first.stdout + first.stderr
    assert f"billing run {key} to {start}:" in first.stdout and "SEK" in first.stdout
    assert again.returncode == 0 and again.stdout.split(":")[-2:] == first.stdout.split(":")[-2:]
    assert refused.returncode == 2 and "after today" in refused.stdout
