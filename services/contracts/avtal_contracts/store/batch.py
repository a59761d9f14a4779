"""The set-based fast path: `commit_change` run against buffers, then one flush per batch of contracts.

`commit_change` builds the same rows whichever unit of work it gets; this one keeps the saved
contracts, the audit rows and the outbox envelopes in memory and writes them with a few statements per
batch instead of several per contract. Every contract must be locked (FOR UPDATE) in the caller's
transaction and loaded there, so its version cannot move underneath.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import asyncpg
from pydantic import BaseModel

from avtal_common.errors import Conflict
from avtal_common.events import Envelope, envelope_headers
from avtal_common.outbox import new_envelope
from avtal_contracts.domain.contracts import Contract, Line
from avtal_contracts.store.contracts import COLUMNS, ContractRepo, _line_row, _overlap_message, _row
from avtal_contracts.store.uow import ContractsUnitOfWork

# Each statement takes one array per column (unnest): one round trip per batch instead of one per row.
_TYPES = [
    "uuid",
    "text",
    "uuid",
    "text",
    "date",
    "date",
    "int",
    "text",
    "text",
    "numeric",
    "text",
    "bool",
    "int",
    "int",
    "text",
    "int",
    "date",
    "text",
    "uuid",
    "uuid",
    "text",
]
_NAMES = [c.strip() for c in COLUMNS.split(",")]
_ARGS = ", ".join(f"${i}::{t}[]" for i, t in enumerate(_TYPES, start=1))
# Optimistic like ContractRepo.save: a row whose version moved is not updated (the count tells).
_UPDATE = f"""
UPDATE contracts c SET ({", ".join(_NAMES)}, updated_at) = ({", ".join(f"u.{n}" for n in _NAMES)}, now())
FROM unnest({_ARGS}, ${len(_TYPES) + 1}::int[]) AS u({", ".join(_NAMES)}, expected)
WHERE c.contract_id = u.contract_id AND c.version = u.expected
"""
_LINE_ARGS = """unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::numeric[],
    $8::numeric[], $9::int[], $10::text[], $11::date[], $12::date[])"""
_LINE_NAMES = (
    "line_id, contract_id, product_id, sku, product_name, item_id, annual_price, unit_price, quantity, "
    "price_source, start_date, end_date"
)
# Lines the batch changed are updated in place, new ones inserted (ContractRepo upserts each instead).
_UPDATE_LINES = f"""
UPDATE contract_lines l SET ({_LINE_NAMES}) = ({", ".join(f"u.{n}" for n in _LINE_NAMES.split(", "))})
FROM {_LINE_ARGS} AS u({_LINE_NAMES}) WHERE l.line_id = u.line_id
"""
_INSERT_LINES = f"INSERT INTO contract_lines ({_LINE_NAMES}) SELECT * FROM {_LINE_ARGS}"
_AUDIT = """
INSERT INTO audit_log
    (contract_id, action, detail, correlation_id, actor, version, effective_date, before, after)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::int[], $7::date[],
                     $8::jsonb[], $9::jsonb[])
"""
_OUTBOX = """
INSERT INTO outbox (event_id, topic, key, payload, headers)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[])
"""
_DROP = "DELETE FROM contract_lines WHERE line_id = ANY($1::uuid[])"
# Lines of other contracts covering one of these items on a day of these ranges (the batch's twin of
# ContractRepo.check_coverage).
_OVERLAPS = """
SELECT c.contract_id, c.contract_no, l.item_id, l.start_date, l.end_date, i.manufacturer_no, i.serial_no
FROM unnest($1::uuid[], $2::uuid[], $3::date[], $4::date[]) AS w(contract_id, item_id, first_day, last_day)
JOIN contract_lines l ON l.item_id = w.item_id AND l.contract_id <> w.contract_id
    AND daterange(l.start_date, l.end_date, '[]') && daterange(w.first_day, w.last_day, '[]')
JOIN contracts c ON c.contract_id = l.contract_id
JOIN covered_items i ON i.item_id = l.item_id
LIMIT 20
"""


class BufferedContractRepo(ContractRepo):
    """Saves and audits into lists; `flush` writes them."""

    def __init__(self, conn: asyncpg.Connection, befores: dict[uuid.UUID, Contract]) -> None:
        super().__init__(conn)
        self.befores = befores
        self.saved: list[Contract] = []
        self.audits: list[tuple[Any, ...]] = []

    async def save(self, c: Contract) -> None:
        self.saved.append(c)

    async def audit(
        self,
        contract_id: uuid.UUID,
        action: str,
        detail: dict[str, Any],
        correlation_id: str | None,
        *,
        actor: str | None = None,
        version: int | None = None,
        effective_date: date | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        row = (contract_id, action, detail, correlation_id, actor, version, effective_date, before, after)
        self.audits.append(row)

    async def flush(self) -> None:
        if not self.saved:
            return
        changed, dropped = self._line_changes()
        await self._check_batch_coverage(changed)
        done = await _unnest(self._conn, _UPDATE, [(*_row(c), c.version - 1) for c in self.saved])
        if done != f"UPDATE {len(self.saved)}":
            raise Conflict("a contract of the batch was changed meanwhile")
        if dropped:
            await self._conn.execute(_DROP, dropped)
        known = {ln.line_id for c in self.befores.values() for ln in c.lines}
        for statement, rows in (
            (_UPDATE_LINES, [_line_row(cid, ln) for cid, ln in changed if ln.line_id in known]),
            (_INSERT_LINES, [_line_row(cid, ln) for cid, ln in changed if ln.line_id not in known]),
        ):
            if rows:
                await _unnest(self._conn, statement, rows)
        await _unnest(self._conn, _AUDIT, self.audits)

    def _line_changes(self) -> tuple[list[tuple[uuid.UUID, Line]], list[uuid.UUID]]:
        """The lines that differ from before (new or changed) and the ids of lines that went."""
        changed: list[tuple[uuid.UUID, Line]] = []
        dropped: list[uuid.UUID] = []
        for c in self.saved:
            old = {ln.line_id: ln for ln in self.befores[c.contract_id].lines}
            changed += [(c.contract_id, ln) for ln in c.lines if old.get(ln.line_id) != ln]
            dropped += list(set(old) - {ln.line_id for ln in c.lines})
        return changed, dropped

    async def _check_batch_coverage(self, changed: list[tuple[uuid.UUID, Line]]) -> None:
        if not changed:
            return
        rows = await self._conn.fetch(
            _OVERLAPS,
            [cid for cid, _ in changed],
            [ln.item.item_id for _, ln in changed],
            [ln.start_date for _, ln in changed],
            [ln.end_date for _, ln in changed],
        )
        if rows:
            raise Conflict(_overlap_message(rows))


class BatchUnitOfWork(ContractsUnitOfWork):
    """Joined to the caller's transaction; contracts and events are buffered until `flush`."""

    contracts: BufferedContractRepo

    @classmethod
    def over(
        cls, conn: asyncpg.Connection, producer: str, befores: dict[uuid.UUID, Contract]
    ) -> BatchUnitOfWork:
        unit = cls.joined(conn, producer)
        unit.contracts = BufferedContractRepo(conn, befores)
        unit.events = []
        return unit

    events: list[tuple[str, Envelope[Any]]]

    async def emit(
        self, topic: str, aggregate_id: str | uuid.UUID, data: BaseModel, version: int = 1
    ) -> Envelope[Any]:
        env = new_envelope(topic, self.producer, aggregate_id, data, version, None)
        self.events.append((topic, env))
        return env

    async def flush(self) -> None:
        await self.contracts.flush()
        rows = [
            (env.event_id, topic, env.aggregate_id, env.model_dump_json().encode(), envelope_headers(env))
            for topic, env in self.events
        ]
        await _unnest(self.conn, _OUTBOX, rows)


async def _unnest(conn: asyncpg.Connection, statement: str, rows: list[tuple[Any, ...]]) -> str:
    """`statement` with one array per column of `rows`."""
    return str(await conn.execute(statement, *[list(col) for col in zip(*rows, strict=True)]))
