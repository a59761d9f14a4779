"""Workflow operations on one contract as tests drive them: a contract open today, an operation at the
version it was read at, and the contract's events as the broker holds them."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import date, timedelta
from typing import Any

import httpx

from avtal_testing.api import make_customer_with_contract, ok
from avtal_testing.kafka import read_all
from avtal_testing.stack import StackInfo

TODAY = date.today()
START, END = date(TODAY.year, 1, 1), date(TODAY.year + 1, 12, 31)
EFFECTIVE = TODAY + timedelta(days=30)


def contract_now(staff: httpx.Client, price: str = "1200.00") -> dict[str, Any]:
    """A contract whose term runs from 1 January this year to the end of next year (open today)."""
    return make_customer_with_contract(staff, price=price, start=START.isoformat(), end=END.isoformat())


def op(staff: httpx.Client, contract: dict[str, Any], name: str, body: dict[str, Any], preview: bool = False):
    url = f"/api/v1/contracts/{contract['contract_id']}/{name}"
    return staff.post(url, json={"version": contract["version"], **body}, params={"preview": preview})


def reload(staff: httpx.Client, contract_id: str) -> dict[str, Any]:
    return ok(staff.get(f"/api/v1/contracts/{contract_id}"))  # type: ignore[no-any-return]


def latest_audit(staff: httpx.Client, contract_id: str) -> dict[str, Any]:
    return ok(staff.get(f"/api/v1/contracts/{contract_id}/history"))[0]  # type: ignore[no-any-return]


async def facts(stack: StackInfo, topic: str, contract_id: str, at_least: int = 1) -> list[dict[str, Any]]:
    """The contract's events on `topic` (as envelopes), once the outbox relay has sent `at_least`."""
    deadline = time.monotonic() + 30
    while True:
        records = await read_all(stack.kafka_bootstrap_servers, topic, idle_ms=300)
        found = [json.loads(r.value) for r in records if r.key == contract_id.encode()]
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)
