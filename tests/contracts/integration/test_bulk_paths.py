"""Bulk jobs against the real PostgreSQL: the set-based path writes what one-by-one writes; moves."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date
from typing import Any

import httpx

from avtal_common import topics
from avtal_common.db import create_pool
from avtal_common.logging import bind_correlation_id
from avtal_contracts.handlers.bulk import StartBulkJob
from avtal_contracts.handlers.bulk_runs import _batch, start_bulk_job
from avtal_contracts.store.search import Selection
from avtal_contracts.store.uow import ContractsUnitOfWork
from avtal_testing.api import eventually, ok
from avtal_testing.kafka import read_all
from avtal_testing.stack import StackInfo

from .test_bulk_jobs import _STATE, _contracts, _done, _sql, _start, sku  # noqa: F401 - the fixture

TODAY = date(2026, 11, 28)
_AUDITS = """
SELECT contract_id, action, detail, correlation_id, actor, version, effective_date, before, after
FROM audit_log WHERE detail->>'job_id' = $1 ORDER BY contract_id
"""
_OUTBOX = "SELECT topic, key, payload, headers FROM outbox WHERE key = ANY($1::text[]) ORDER BY key, topic"
_ITEMS = "SELECT seq, state, reason, summary, impact, version_after FROM bulk_job_items WHERE job_id = $1"
_ROWS = """
SELECT c.contract_id, c.version, c.end_date, l.line_id, l.end_date AS line_end FROM contracts c
JOIN contract_lines l USING (contract_id) WHERE c.contract_id = ANY($1::uuid[])
ORDER BY c.contract_id, l.line_id
"""


def _written(stack: StackInfo, customer: str, ids: list[uuid.UUID], *, fast: bool) -> str:
    """Every row a co-termination job writes, job id and event ids left out, in a transaction that is
    rolled back (so the other path can run on the very same contracts)."""

    async def run() -> str:
        pool = await create_pool(stack.database_url("contracts"), min_size=1, max_size=1)
        try:
            async with pool.acquire() as conn:
                tx = conn.transaction()
                await tx.start()
                try:
                    return await _job_rows(conn, customer, ids, fast)
                finally:
                    await tx.rollback()
        finally:
            await pool.close()

    return asyncio.run(run())


async def _job_rows(conn: Any, customer: str, ids: list[uuid.UUID], fast: bool) -> str:
    uow = ContractsUnitOfWork.joined(conn, "contracts")
    cmd = StartBulkJob(
        "coterminate", Selection(uuid.UUID(customer)), {"end_date": "2032-05-31"}, "eq@example.com"
    )
    job = await start_bulk_job(uow, cmd, TODAY, 90)
    bind_correlation_id("bulk-equality")
    await _batch(uow, job.job_id, 1000, TODAY, fast=fast)
    rows = {
        "audits": [dict(r) for r in await conn.fetch(_AUDITS, str(job.job_id))],
        "events": [_event(r) for r in await conn.fetch(_OUTBOX, [str(i) for i in ids])],
        "items": [dict(r) for r in await conn.fetch(_ITEMS + " ORDER BY seq", job.job_id)],
        "contracts": [dict(r) for r in await conn.fetch(_ROWS, ids)],
    }
    return json.dumps(rows, default=str, sort_keys=True).replace(str(job.job_id), "JOB")


def _event(r: Any) -> dict[str, Any]:
    envelope = json.loads(r["payload"])
    envelope.pop("event_id"), envelope.pop("occurred_at")
    headers = dict(r["headers"])
    headers.pop("event_id")
    return {"topic": r["topic"], "key": r["key"], "envelope": envelope, "headers": headers}


def test_the_set_based_batch_writes_exactly_the_rows_and_events_of_the_one_by_one_path(
    stack: StackInfo,
    staff: httpx.Client,
    sku: str,  # noqa: F811 - the fixture
) -> None:
    customer, ids = _contracts(stack, staff, sku, 40)
    _sql(stack, "UPDATE contracts SET status = 'terminated' WHERE contract_id = $1", ids[7])

    fast = _written(stack, customer, ids, fast=True)
    each = _written(stack, customer, ids, fast=False)

    found = json.loads(fast)
    assert len(found["audits"]) == 39 and len(found["events"]) == 78  # state + fact per changed contract
    assert sorted({e["topic"] for e in found["events"]}) == ["contract.amended", "contract.state"]
    assert [i["state"] for i in found["items"]].count("failed") == 1
    assert fast == each


def test_reorganise_moves_every_item_to_the_target_from_the_effective_date(
    stack: StackInfo,
    staff: httpx.Client,
    sku: str,  # noqa: F811 - the fixture
) -> None:
    _, ids = _contracts(stack, staff, sku, 3)  # ends 2031-12-02, -03, -04
    api = stack.internal("contracts")
    body = {"kind": "reorganise", "selection": {"contract_ids": [str(i) for i in ids[1:]]},
            "target_id": str(ids[0]), "effective_date": "2031-07-01"}  # fmt: skip

    preview = ok(api.post("/bulk-jobs/preview", json=body))
    job = _done(api, _start(api, body)["job_id"])

    assert [r["ok"] for r in preview["items"]] == [True, True]
    assert (job["applied"], job["failed"]) == (2, 0)
    target = ok(api.get(f"/contracts/{ids[0]}"))
    assert target["version"] == 3  # one amendment per source moved in
    moved_in = sorted((ln["start_date"], ln["end_date"]) for ln in target["lines"])
    assert moved_in == [
        ("2031-01-01", "2031-12-02"),
        ("2031-07-01", "2031-12-02"),
        ("2031-07-01", "2031-12-02"),
    ]
    for cid in ids[1:]:
        source = ok(api.get(f"/contracts/{cid}"))
        assert source["version"] == 2 and [ln["end_date"] for ln in source["lines"]] == ["2031-06-30"]
    history = ok(api.get(f"/contracts/{ids[0]}/history"))
    assert history[0]["action"] == "bulk_reorganise" and history[0]["actor"]


def test_merge_moves_the_items_and_ends_the_merged_contracts_the_day_before(
    stack: StackInfo,
    staff: httpx.Client,
    sku: str,  # noqa: F811 - the fixture
) -> None:
    customer, ids = _contracts(stack, staff, sku, 3)
    api = stack.internal("contracts")
    body = {"kind": "merge", "selection": {"customer_id": customer}, "target_id": str(ids[0]),
            "effective_date": "2031-10-01"}  # fmt: skip

    job = _done(api, _start(api, body)["job_id"])

    assert (job["applied"], job["failed"]) == (2, 1)  # the target itself is refused, not merged into itself
    state = {r["contract_id"]: r for r in _sql(stack, _STATE, ids)}
    assert [str(state[c]["end_date"]) for c in ids[1:]] == ["2031-09-30", "2031-09-30"]
    assert len(ok(api.get(f"/contracts/{ids[0]}"))["lines"]) == 3
    failed = ok(api.get(f"/bulk-jobs/{job['job_id']}/contracts", params={"state": "failed"}))["items"]
    assert [f["contract_id"] for f in failed] == [str(ids[0])] and "is the target" in failed[0]["reason"]


def test_bulk_renew_creates_successors_and_publishes_contract_renewed(
    stack: StackInfo,
    staff: httpx.Client,
    sku: str,  # noqa: F811 - the fixture
) -> None:
    _, ids = _contracts(stack, staff, sku, 2)  # end 2031-12-02 and -03, 12-month renewal terms
    api = stack.internal("contracts")
    body = {"kind": "renew", "selection": {"contract_ids": [str(i) for i in ids]}}

    job = _done(api, _start(api, body)["job_id"])

    assert (job["applied"], job["failed"]) == (2, 0)
    old = ok(api.get(f"/contracts/{ids[0]}"))
    new = ok(api.get(f"/contracts/{old['renewed_to']}"))
    assert (new["start_date"], new["end_date"], new["renewed_from"]) == (
        "2031-12-03",
        "2032-12-02",
        str(ids[0]),
    )
    assert [ln["item"]["serial_no"] for ln in new["lines"]] == [
        ln["item"]["serial_no"] for ln in old["lines"]
    ]
    assert (old["version"], old["status"]) == (2, "renewed")  # the calendar's renewal, by staff
    assert ok(api.get(f"/contracts/{ids[0]}/history"))[0]["action"] == "renewed"
    facts = eventually(lambda: _renewed(stack, str(ids[0])), 60, what="contract.renewed on the broker")
    assert facts[0]["data"]["successor_id"] == new["contract_id"] and facts[0]["data"]["how"] == "staff"


def _renewed(stack: StackInfo, contract_id: str) -> list[dict[str, Any]] | None:
    records = asyncio.run(read_all(stack.kafka_bootstrap_servers, topics.CONTRACT_RENEWED))
    found = [e for e in (json.loads(r.value) for r in records) if e["data"]["contract_id"] == contract_id]
    return found or None


_MOVE_LINE = "UPDATE contract_lines SET contract_id = $1, end_date = '2031-12-02' WHERE contract_id = $2"
_SITES = """
UPDATE covered_items SET site_id = CASE WHEN serial_no LIKE '%-1' THEN $1::uuid ELSE $2::uuid END
WHERE item_id IN (SELECT item_id FROM contract_lines WHERE contract_id = $3)
"""


def test_split_by_site_gives_the_other_sites_items_a_new_contract_from_the_effective_date(
    stack: StackInfo,
    staff: httpx.Client,
    sku: str,  # noqa: F811 - the fixture
) -> None:
    customer, ids = _contracts(stack, staff, sku, 2)
    # The contract keeps its first group of lines in site-id order: North's, as the ids are sorted so.
    north, south = sorted((uuid.uuid4(), uuid.uuid4()), key=str)
    _sql(stack, "INSERT INTO sites (site_id, customer_id, name) VALUES ($1, $3, 'North'), ($2, $3, 'South')",
         north, south, uuid.UUID(customer))  # fmt: skip
    # Contract 2's item moves onto contract 1 at the South site: contract 1 then covers two sites.
    _sql(stack, _MOVE_LINE, ids[0], ids[1])
    _sql(stack, _SITES, north, south, ids[0])
    api = stack.internal("contracts")
    body = {"kind": "split", "selection": {"contract_ids": [str(ids[0])]}, "split_by": "site",
            "effective_date": "2031-07-01"}  # fmt: skip

    job = _done(api, _start(api, body)["job_id"])

    assert (job["applied"], job["failed"]) == (1, 0)
    source = ok(api.get(f"/contracts/{ids[0]}"))
    ends = {ln["item"]["site_id"]: ln["end_date"] for ln in source["lines"]}
    assert ends == {str(north): "2031-12-02", str(south): "2031-06-30"} and source["version"] == 2
    made = ok(api.get("/contracts/search/", params={"customer_id": customer, "limit": 10}))["items"]
    new = [c for c in made if c["contract_id"] not in {str(i) for i in ids}]
    assert len(new) == 1 and (new[0]["start_date"], new[0]["end_date"]) == ("2031-07-01", "2031-12-02")
    assert [ln["item"]["site_id"] for ln in new[0]["lines"]] == [str(south)]
