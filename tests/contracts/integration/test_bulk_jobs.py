"""Bulk jobs on the real stack: the service's worker applies them; results per contract; undo; replicas."""

from __future__ import annotations

import asyncio
import json
import mailbox
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from avtal_common import topics
from avtal_common.db import create_pool
from avtal_contracts.handlers.bulk_runs import run_batch
from avtal_contracts.store.uow import ContractsUnitOfWork
from avtal_testing.api import eventually, make_customer_with_contract, ok, unique
from avtal_testing.bulk import load_contracts
from avtal_testing.kafka import read_all
from avtal_testing.stack import StackInfo


@pytest.fixture(scope="module")
def sku(staff: httpx.Client) -> str:
    """A product the contracts service already knows (its event has arrived)."""
    return str(make_customer_with_contract(staff)["product"]["sku"])


def _customer(staff: httpx.Client) -> str:
    body = {"name": unique("Bulk AB"), "email": f"{unique('bulk')}@example.com"}
    return str(ok(staff.post("/api/v1/customers", json=body))["customer_id"])


def _sql(stack: StackInfo, query: str, *args: Any) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(stack.database_url("contracts"))
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    return asyncio.run(run())


def _contracts(stack: StackInfo, staff: httpx.Client, sku: str, n: int) -> tuple[str, list[uuid.UUID]]:
    customer = _customer(staff)

    async def run() -> list[uuid.UUID]:
        conn = await asyncpg.connect(stack.database_url("contracts"))
        try:
            return await load_contracts(conn, unique("BLK"), uuid.UUID(customer), sku, n)
        finally:
            await conn.close()

    return customer, asyncio.run(run())


def _done(api: httpx.Client, job_id: str, timeout_s: float = 60) -> dict[str, Any]:
    def probe() -> dict[str, Any] | None:
        job: dict[str, Any] = ok(api.get(f"/bulk-jobs/{job_id}"))
        return job if job["state"] == "done" else None

    return eventually(probe, timeout_s, what=f"bulk job {job_id} to finish")


def _start(api: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    r = api.post("/bulk-jobs/", json=body, headers={"X-Avtal-Actor": "bulk-tester@example.com"})
    assert r.status_code == 202, r.text
    job: dict[str, Any] = r.json()
    return job


def test_coterminating_1000_contracts_of_which_3_are_terminated_applies_997_and_reports_3(
    stack: StackInfo, staff: httpx.Client, sku: str
) -> None:
    customer, ids = _contracts(stack, staff, sku, 1000)
    closed = [ids[0], ids[500], ids[999]]
    _sql(stack, "UPDATE contracts SET status = 'terminated' WHERE contract_id = ANY($1::uuid[])", closed)
    before = {r["contract_id"]: r for r in _sql(stack, _STATE, ids)}
    api = stack.internal("contracts")

    job = _start(
        api, {"kind": "coterminate", "selection": {"customer_id": customer}, "end_date": "2032-03-31"}
    )
    job = _done(api, job["job_id"])

    assert (job["total"], job["applied"], job["failed"]) == (1000, 997, 3)
    failed = ok(api.get(f"/bulk-jobs/{job['job_id']}/contracts", params={"state": "failed"}))["items"]
    assert {f["contract_id"] for f in failed} == {str(c) for c in closed}
    assert all("terminated: a closed contract cannot change" in f["reason"] for f in failed)
    after = {r["contract_id"]: r for r in _sql(stack, _STATE, ids)}
    for cid in ids:  # none half-changed: contract and line move together, or neither does
        b, a = before[cid], after[cid]
        if cid in closed:
            assert (a["version"], a["end_date"], a["line_ends"]) == (1, b["end_date"], b["line_ends"])
        else:
            assert (a["version"], str(a["end_date"]), [str(d) for d in a["line_ends"]]) == (
                2, "2032-03-31", ["2032-03-31"]
            )  # fmt: skip
    audits = _sql(stack, _AUDITS, job["job_id"])
    assert len(audits) == 997 and {r["contract_id"] for r in audits} == set(ids) - set(closed)
    assert {(r["actor"], r["version"]) for r in audits} == {("bulk-tester@example.com", 2)}
    sample = json.loads(audits[0]["after"]) if isinstance(audits[0]["after"], str) else audits[0]["after"]
    assert sample["end_date"] == "2032-03-31"
    facts = eventually(
        lambda: _facts(stack, job["job_id"], 997), 60, what="997 contract.amended on the broker"
    )
    assert {f["data"]["end_date"] for f in facts} == {"2032-03-31"}
    assert {f["data"]["operation"] for f in facts} == {"coterminate"}


def _facts(stack: StackInfo, job_id: str, n: int) -> list[dict[str, Any]] | None:
    records = asyncio.run(read_all(stack.kafka_bootstrap_servers, topics.CONTRACT_AMENDED))
    found = [e for e in (json.loads(r.value) for r in records) if e["data"].get("job_id") == job_id]
    return found if len(found) >= n else None


_STATE = """
SELECT c.contract_id, c.version, c.end_date, array_agg(l.end_date ORDER BY l.line_id) AS line_ends
FROM contracts c JOIN contract_lines l USING (contract_id) WHERE c.contract_id = ANY($1::uuid[])
GROUP BY c.contract_id
"""
_AUDITS = """
SELECT contract_id, actor, version, after FROM audit_log
WHERE action LIKE 'bulk_%' AND detail->>'job_id' = $1::text ORDER BY contract_id
"""
_WRITES = """
SELECT (SELECT count(*) FROM audit_log), (SELECT count(*) FROM outbox), (SELECT count(*) FROM bulk_jobs),
       (SELECT sum(version) FROM contracts WHERE contract_id = ANY($1::uuid[]))
"""


def _plain_text(message: Any) -> str:
    parts = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return parts[0].get_payload(decode=True).decode() if parts else ""


def test_a_finished_job_is_announced_once_and_staff_are_mailed_its_failures(
    stack: StackInfo, staff: httpx.Client, sku: str
) -> None:
    customer, ids = _contracts(stack, staff, sku, 3)
    _sql(stack, "UPDATE contracts SET status = 'terminated' WHERE contract_id = $1", ids[1])
    api = stack.internal("contracts")

    job = _start(
        api, {"kind": "coterminate", "selection": {"customer_id": customer}, "end_date": "2032-03-31"}
    )
    job = _done(api, job["job_id"])

    def announced() -> list[dict[str, Any]] | None:
        records = asyncio.run(read_all(stack.kafka_bootstrap_servers, topics.BULK_JOB_FINISHED))
        found = [json.loads(r.value)["data"] for r in records if r.key == job["job_id"].encode()]
        return found or None

    [fact] = eventually(announced, what="bulk_job.finished")
    assert (fact["selected"], fact["done"], fact["failed"]) == (3, 2, 1)
    assert [f["contract_id"] for f in fact["failures"]] == [str(ids[1])]
    box = mailbox.Maildir(str(stack.maildir), create=False)
    [mail] = eventually(
        lambda: [m for m in box if job["job_id"] in _plain_text(m)] or None,
        what="the staff notice",
    )
    assert (mail["To"], mail["Subject"]) == (
        "finance@avtal.local",
        "Bulk job coterminate finished with 1 failure",
    )


def test_a_preview_shows_each_change_and_its_revenue_impact_and_writes_nothing(
    stack: StackInfo, staff: httpx.Client, sku: str
) -> None:
    customer, ids = _contracts(stack, staff, sku, 5)  # ends 2031-12-02 .. 2031-12-06 (first_end + i % 90)
    writes = _sql(stack, _WRITES, ids)[0]
    api = stack.internal("contracts")
    body = {"kind": "coterminate", "selection": {"customer_id": customer}, "mode": "latest"}

    preview = ok(api.post("/bulk-jobs/preview", json=body))

    assert _sql(stack, _WRITES, ids)[0] == writes
    assert preview["params"]["end_date"] == "2031-12-06" and preview["total"] == 5
    rows = {r["contract_no"][-1]: r for r in preview["items"]}
    # contract 1: 1201 a year, Dec 3..6 of the month-step Dec 3..Jan 2 (31 days): 1201/12 × 4/31 = 12.91
    assert rows["1"]["summary"] == "end date 2031-12-02 -> 2031-12-06" and rows["1"]["impact"] == "12.91"
    assert rows["5"]["ok"] is False and "already ends on 2031-12-06" in rows["5"]["reason"]


def test_undo_restores_each_contract_as_a_new_amendment_and_refuses_those_changed_since(
    stack: StackInfo, staff: httpx.Client, sku: str
) -> None:
    customer, ids = _contracts(stack, staff, sku, 4)
    api = stack.internal("contracts")
    first = _done(api, _start(api, {"kind": "coterminate", "selection": {"customer_id": customer},
                                    "end_date": "2032-06-30"})["job_id"])  # fmt: skip
    edit = {"kind": "edit", "selection": {"contract_ids": [str(ids[0])]}, "billing_interval_months": 3}
    _done(api, _start(api, edit)["job_id"])

    r = api.post(f"/bulk-jobs/{first['job_id']}/undo", headers={"X-Avtal-Actor": "undoer@example.com"})
    assert r.status_code == 202, r.text
    undo = _done(api, r.json()["job_id"])

    assert (undo["kind"], undo["undo_of"], undo["applied"], undo["failed"]) == ("undo", first["job_id"], 3, 1)
    refused = ok(api.get(f"/bulk-jobs/{undo['job_id']}/contracts", params={"state": "failed"}))["items"]
    assert [f["contract_id"] for f in refused] == [str(ids[0])] and "changed after the job" in refused[0][
        "reason"
    ]
    state = {r["contract_id"]: r for r in _sql(stack, _STATE, ids)}
    for n, cid in enumerate(ids[1:], start=3):  # back to their own ends, one version later
        assert (state[cid]["version"], str(state[cid]["end_date"])) == (3, f"2031-12-0{n}")
        assert [str(d) for d in state[cid]["line_ends"]] == [f"2031-12-0{n}"]
    assert ok(api.get(f"/bulk-jobs/{first['job_id']}"))["undone_by"] == undo["job_id"]
    assert api.post(f"/bulk-jobs/{first['job_id']}/undo").status_code == 409


def test_workers_competing_for_one_job_change_each_contract_exactly_once(
    stack: StackInfo, staff: httpx.Client, sku: str
) -> None:
    customer, ids = _contracts(stack, staff, sku, 2000)
    api = stack.internal("contracts")
    job = _start(api, {"kind": "edit", "selection": {"customer_id": customer}, "auto_renew": True})

    async def workers() -> list[int]:
        pool = await create_pool(stack.database_url("contracts"), min_size=1, max_size=4)

        async def worker() -> int:
            taken = 0
            while n := await run_batch(
                lambda: ContractsUnitOfWork(pool, "contracts"), uuid.UUID(job["job_id"]), 50
            ):
                taken += n
            return taken

        try:  # two more workers beside the service's own
            return list(await asyncio.gather(worker(), worker()))
        finally:
            await pool.close()

    taken = asyncio.run(workers())
    job = _done(api, job["job_id"])

    assert (job["applied"], job["failed"]) == (2000, 0)
    assert sum(taken) > 0  # the test's workers did take part
    audits = _sql(stack, _AUDITS, job["job_id"])
    assert len(audits) == 2000 and len({r["contract_id"] for r in audits}) == 2000
    assert {r["version"] for r in _sql(stack, _STATE, ids)} == {2}
