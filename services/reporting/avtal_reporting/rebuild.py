"""Rebuild every read model from the start of the topics (`avtal reporting rebuild`).

1. One transaction marks the read models as rebuilding, empties them and drops reporting's inbox claims.
   From then on every live handler finds the mark before it writes and gives up with `Unavailable`: the
   consumers wait and retry as for an outage, dead-lettering nothing (`FactsRepo.bump`).
2. The end offset of each of reporting's topics is taken, and a consumer without a group reads each topic
   from its beginning up to it. The live handlers fold every event into memory (`store/memory.py`): the
   same code and rules as on the live path, without a round trip per event.
3. One transaction writes every table with COPY, with an inbox claim per applied event, and clears the
   mark. The live consumers then go on from their committed offsets: an event the rebuild applied finds
   its claim, one after the end offsets is applied as usual.

An event that fails is skipped and counted (the live path dead-lettered it). If the rebuild itself fails
the mark stays, so no consumer writes into half-built read models: run it again. Retention bounds it: a
topic that no longer holds its first events cannot give them back (the embedded Tansu keeps nothing
across restarts; Apache Kafka keeps what `retention.ms` allows)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import ValidationError

from avtal_common.consumer_handlers import EventHandler, apply_event, one_handler_per_topic
from avtal_common.dlq import topic_partitions
from avtal_common.events import parse_envelope
from avtal_common.logging import get_logger
from avtal_common.settings import CommonSettings
from avtal_reporting.store.memory import Memory, MemoryUnitOfWork, flush
from avtal_reporting.store.uow import ReportingUnitOfWork

log = get_logger(__name__)

READ_MODELS = (
    "invoice_facts", "revenue_by_month", "contracts", "renewal_steps", "mrr_lines", "scheduled",
    "customers", "products", "invoice_lines", "invoiced_through", "recognition", "ar_entries",
    "collections", "month_totals", "customer_mrr", "mrr_months", "scheduled_sums",
)  # fmt: skip


@dataclass
class RebuildProgress:
    total: int = 0
    read: int = 0
    applied: int = 0
    duplicates: int = 0
    skipped: int = 0
    running: bool = False
    refused: str | None = None  # why nothing was changed
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def events_per_s(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


def history_missing(replayed: dict[str, int], stored: dict[str, int]) -> str | None:
    """Why a rebuild would lose data, if it would: the topics gave back fewer invoices or contracts than
    the read models held before the replay began, so part of their history is gone."""
    short = [f"{what}: {stored[what]} kept, {replayed.get(what, 0)} on the topics" for what in ("documents",
             "contracts") if replayed.get(what, 0) < stored.get(what, 0)]  # fmt: skip
    if not short:
        return None
    return (
        "the topics no longer hold the history the read models were built from ("
        + "; ".join(short)
        + "): a rebuild would lose it, so nothing was changed. The embedded Tansu keeps nothing across "
        "restarts, Apache Kafka only what its retention allows. Rebuild anyway with "
        "`avtal reporting rebuild --force`"
    )


async def rebuild(
    uow: ReportingUnitOfWork,
    common: CommonSettings,
    handlers: Sequence[EventHandler],
    progress: RebuildProgress,
    batch: int = 2000,
    force: bool = False,
) -> RebuildProgress:
    """Read every event into memory; unless forced, stop there if the topics hold less than the read
    models (nothing changed); else mark and empty the read models, read what came meanwhile, and write."""
    started = time.monotonic()
    progress.running = True
    by_topic = one_handler_per_topic(handlers)
    counts: dict[str, int] = {}
    try:
        async with uow:  # before the end offsets: what is stored now came from messages before them
            stored = dict(await uow.conn.fetchrow(
                "SELECT (SELECT count(*) FROM invoice_facts) AS documents, "
                "(SELECT count(*) FROM contracts) AS contracts"
            ))  # fmt: skip
        memory = Memory()
        muow = MemoryUnitOfWork(memory)
        known = await topic_partitions(common)
        tps = [TopicPartition(t, p) for t in by_topic for p in known.get(t, ())]
        consumer = AIOKafkaConsumer(
            bootstrap_servers=common.bootstrap_list,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            client_id="avtal-reporting-rebuild",
            max_partition_fetch_bytes=4 * 1024 * 1024,
        )
        await consumer.start()
        try:
            if tps:
                consumer.assign(tps)
                await consumer.seek_to_beginning(*tps)
                begin, end = await consumer.beginning_offsets(tps), await consumer.end_offsets(tps)
                progress.total = sum(end[tp] - begin[tp] for tp in tps)
                await _replay(muow, consumer, tps, end, by_topic, progress, batch)
            replayed = {"documents": len(memory.documents), "contracts": len(memory.contracts)}
            if not force and (why := history_missing(replayed, stored)):
                progress.refused = why
                return progress
            async with uow:
                await uow.conn.execute(
                    "UPDATE read_model_version SET version = version + 1, rebuilding = true"
                )
                await uow.conn.execute(f"TRUNCATE {', '.join(READ_MODELS)}")
                await uow.conn.execute("DELETE FROM inbox WHERE handler LIKE 'reporting.%'")
            if tps:  # what the live consumers applied before the mark is read again here, not lost
                end = await consumer.end_offsets(tps)
                progress.total = sum(end[tp] - begin[tp] for tp in tps)
                await _replay(muow, consumer, tps, end, by_topic, progress, batch)
        finally:
            await consumer.stop()
        async with uow:
            counts = await flush(memory, uow.conn)
            await uow.conn.execute("UPDATE read_model_version SET version = version + 1, rebuilding = false")
    finally:
        progress.running = False
        progress.seconds = time.monotonic() - started
    log.info("reporting.rebuilt", events=progress.read, applied=progress.applied, skipped=progress.skipped,
             seconds=round(progress.seconds, 2), rows=counts)  # fmt: skip
    return progress


async def _replay(
    uow: MemoryUnitOfWork,
    consumer: AIOKafkaConsumer,
    tps: list[TopicPartition],
    end: dict[TopicPartition, int],
    by_topic: dict[str, EventHandler],
    progress: RebuildProgress,
    batch: int,
) -> None:
    """Apply each partition's records up to its end offset, and past it every record written before this
    pass began. The end offset alone is not enough: Tansu's ListOffsets answers a count of batches, not
    the log's end (1 for a partition holding 285 records written in one batch), while Apache Kafka's is
    exact, so past it only records newer than the pass follow, which the live consumers apply."""
    since_ms = int(time.time() * 1000)
    pending = set(tps)
    while pending:
        fetched = await consumer.getmany(*pending, timeout_ms=500, max_records=batch)
        for tp in list(pending):
            records = fetched.get(tp, [])
            for r in records:
                if r.offset >= end[tp] and r.timestamp >= since_ms:
                    consumer.seek(tp, r.offset)  # live from here: a later pass may go on from it
                    pending.discard(tp)
                    break
                await _apply_one(uow, by_topic[r.topic], r, progress)
                progress.read += 1
            if not records and await consumer.position(tp) >= end[tp]:
                pending.discard(tp)


async def _apply_one(uow: MemoryUnitOfWork, handler: EventHandler, record: Any, p: RebuildProgress) -> None:
    try:
        envelope = parse_envelope(record.value, handler.payload)
    except (ValidationError, ValueError) as exc:
        p.skipped += 1
        _remember(
            p, f"{record.topic}@{record.partition}:{record.offset}: malformed ({exc.__class__.__name__})"
        )
        return
    try:
        outcome = await apply_event(uow, handler, envelope)
    except Exception as exc:  # noqa: BLE001 - counted and shown; the live path dead-lettered it
        p.skipped += 1
        _remember(p, f"{record.topic}@{record.partition}:{record.offset}: {exc!r}"[:300])
        return
    if outcome == "duplicate":
        p.duplicates += 1
    else:
        p.applied += 1


def _remember(p: RebuildProgress, error: str) -> None:
    if len(p.errors) < 20:
        p.errors.append(error)
